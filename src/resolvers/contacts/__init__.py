"""Contacts: people and companies (ConeCRM Contact, Thinx Customer, CRM.COM PERSON/COMPANY)."""
