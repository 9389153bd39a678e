"""API keys for server-to-server callers: list, create (the secret is shown once) and revoke."""
