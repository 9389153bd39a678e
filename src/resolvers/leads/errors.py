"""Errors of the leads area."""

REQUIRED_CODE = "CRM1101"
