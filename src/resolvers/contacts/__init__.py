"""Contacts: people and companies (seed 004 Contact/BaseCustomer, seed 000 Customer, seed 003 PERSON/COMPANY)."""
