"""Per-request cost accounting reported in ``extensions.cost`` (the way Shopify reports query cost)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Cost:
    sql_statements: int = 0
    upstream_calls: int = 0

    def as_extension(self) -> dict[str, int]:
        return {"sqlStatements": self.sql_statements, "upstreamCalls": self.upstream_calls}
