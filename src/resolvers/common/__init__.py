"""Shared GraphQL machinery: node identity, connections, filters, ordering and user errors."""
