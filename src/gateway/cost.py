"""Per-request cost accounting reported in ``extensions.cost`` (the way Shopify reports query cost)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Cost:
    sql_statements: int = 0
    upstream_calls: int = 0
    # Calls per upstream (the name it has in the routing file), so a client sees which system it cost.
    upstream_by_system: Counter[str] = field(default_factory=Counter)

    def count_upstream_call(self, system: str) -> None:
        self.upstream_calls += 1
        self.upstream_by_system[system] += 1

    def as_extension(self) -> dict[str, object]:
        extension: dict[str, object] = {
            "sqlStatements": self.sql_statements,
            "upstreamCalls": self.upstream_calls,
        }
        if self.upstream_by_system:
            extension["upstreamCallsBySystem"] = dict(sorted(self.upstream_by_system.items()))
        return extension
