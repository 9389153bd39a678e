"""Documents attached to contacts and accounts (seed 000 DocumentSummary, CRM_DOC_*)."""
