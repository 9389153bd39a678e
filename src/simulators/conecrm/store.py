"""The simulator's own store: seed 004 records per tenant, in memory (lost on restart).

Records are kept exactly as the simulator answers them (the seed's JSON shapes, references as
``{"id": ...}``), per tenant and per kind: ``contact``, ``account``, ``lead``, ``event`` (tasks,
appointments, follow-ups, told apart by ``dtype``) and ``stage``. A lock guards it, as tests seed it from
their own thread while uvicorn serves it from another.
"""

from __future__ import annotations

import copy
import threading
from collections import defaultdict
from typing import Any

KINDS = ("contact", "account", "lead", "event", "stage")
Record = dict[str, Any]


class Store:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, dict[str, Record]]] = defaultdict(lambda: {k: {} for k in KINDS})

    def all(self, tenant: str, kind: str) -> list[Record]:
        """Every record of the kind, in insertion order (copies)."""
        with self._lock:
            return copy.deepcopy(list(self._records[tenant][kind].values()))

    def get(self, tenant: str, kind: str, record_id: str) -> Record | None:
        with self._lock:
            found = self._records[tenant][kind].get(record_id)
            return copy.deepcopy(found) if found is not None else None

    def put(self, tenant: str, kind: str, record: Record) -> Record:
        """Insert or replace a record (by its ``id``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        with self._lock:
            self._records[tenant][kind][str(record["id"])] = copy.deepcopy(record)
        return record

    def remove(self, tenant: str, kind: str, record_id: str) -> bool:
        with self._lock:
            return self._records[tenant][kind].pop(record_id, None) is not None

    def clear(self, tenant: str | None = None) -> None:
        with self._lock:
            if tenant is None:
                self._records.clear()
            else:
                self._records.pop(tenant, None)
