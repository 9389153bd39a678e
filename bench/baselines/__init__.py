"""Baselines the gateway is measured against."""
