"""Automations that run on the gateway's own database: definitions, conditions, actions, the runner."""
