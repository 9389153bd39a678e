"""Integration configurations: Akixi CRM configurations (seed 002), read and written in Akixi itself."""
