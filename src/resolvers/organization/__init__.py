"""Roles, security groups and user settings (seed 004), administered under CRM_ADMIN."""
