"""``crm-gateway seed``: a realistic, related CRM dataset for demos and benchmarks.

Rows are built in memory from small built-in word lists and inserted with Core executemany, one
transaction per batch of contacts (with their accounts, leads and events). A crash therefore leaves
whole batches behind, and a second run adds to the first: reference rows (users, franchises,
departments, stages) are reused, and new usernames are checked against the tenant's existing ones.

Layout: ``run`` drives a run, ``reference`` reuses or creates the reference rows, ``batch`` builds
each batch from the single-row builders in ``rows``, ``words`` holds the vocabulary, and ``pending``
the rows waiting to be inserted.
"""

from gateway.seed.run import SeedSummary, seed_tenant

__all__ = ["SeedSummary", "seed_tenant"]
