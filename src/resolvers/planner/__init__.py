"""The query planner's GraphQL half: walks an operation into plans (``walk.py``) and serves covered
operations from a schema extension with the response JSON their statements build (``extension.py``).
The SQL half is ``gateway/planner/``."""
