"""The query planner's SQL half: a backend-neutral plan of a root field's subtree (``plan.py``) and the
one statement that returns its response JSON (``sql.py``).

The GraphQL half, which walks an operation into these plans and serves their answers,
is ``resolvers/planner/``: resolvers may not import the SQL backend, nor the gateway the resolvers
(``tests/test_layering.py``), so the planner is split along that line.
"""
