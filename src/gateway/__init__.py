"""CRM Graph Gateway: the application, settings, auth, errors and backends."""
