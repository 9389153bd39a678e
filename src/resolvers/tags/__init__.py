"""Tags of contacts and organizations (seed 000 Tag): the tenant's catalogue and who carries what."""
