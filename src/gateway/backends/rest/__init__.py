"""Upstream CRM REST APIs as backends: one connector per vendor (ConeCRM, CRM.COM, Akixi).

``client`` is the shared HTTP machinery (timeouts, retries, circuit breaker, cost); ``config`` reads
the routing file; each vendor module turns its upstream's contract into the backend protocol.
"""
