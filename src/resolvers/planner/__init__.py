"""The query planner's GraphQL half: walks an operation into plans (``walk.py``), shapes the JSON of
their statements into the response (``shape.py``) and serves covered operations from a schema
extension (``extension.py``). The SQL half is ``gateway/planner/``."""
