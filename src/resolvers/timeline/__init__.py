"""The activity timeline of contacts, accounts and leads (issue 22, seed 000 CRM_ACTIVITY_VIEW)."""
