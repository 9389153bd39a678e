"""The seeds' contracts as JSON Schemas (``tests/contracts/<vendor>/*.json``, written by hand from the seeds'
tables, each citing its seed lines) and the check the simulators run on every request and answer.

A simulator built with ``contract=Contracts(vendor)`` calls it with ``("request", method, body)`` and
``("response", method, data)``; a body outside its schema, or a method the connector calls that has no
schema, is recorded in ``violations`` and raised (the simulator answers HTTP 422). The fixtures assert
``violations`` is empty after each test, so nothing the connectors send during the suite escapes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

HERE = Path(__file__).resolve().parent


@cache
def validator(vendor: str, name: str) -> Draft202012Validator | None:
    path = HERE / vendor / f"{name}.json"
    if not path.exists():
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def crmcom_schema(direction: str, method: str) -> str:
    if direction == "request":
        return method.replace("/", "_") + ".request"
    if method.startswith("communications/queue/"):
        return "communication_queue.response"
    if method.startswith("communications/"):
        return "communication.response"
    if method.startswith("contact_information/") and "profile_photo" not in method:
        return "contact_information.response"
    return method.replace("/", "_") + ".response"


@dataclass
class Contracts:
    vendor: str  # "crmcom" or "akixi": the folder of its schemas
    violations: list[str] = field(default_factory=list)
    enabled: bool = True  # a test that sends bad bodies on purpose, straight to the simulator, turns it off
    requests: list[tuple[str, Any]] = field(default_factory=list)  # (method, parameters) as received

    def sent(self, method: str) -> list[Any]:
        """The parameters of each call of ``method`` the simulator received (token left out)."""
        return [payload for name, payload in self.requests if name == method]

    def __call__(self, direction: str, method: str, payload: Any) -> None:
        if direction == "request":
            self.requests.append((method, payload))
        if not self.enabled:
            return
        name = crmcom_schema(direction, method) if self.vendor == "crmcom" else f"{method}.{direction}"
        checker = validator(self.vendor, name)
        if checker is None:
            if direction == "request":
                self._fail(f"{method}: no contract ({self.vendor}/{name}.json) for a call the connector made")
            return
        records = payload if direction == "response" and isinstance(payload, list) else [payload]
        for record in records:
            problems = [
                f"{'/'.join(map(str, e.absolute_path)) or '.'}: {e.message}"
                for e in checker.iter_errors(record)
            ]
            problems += (
                _json_data_problems(record) if self.vendor == "akixi" and direction == "request" else []
            )
            if problems:
                self._fail(
                    f"{direction} of {method} outside {self.vendor}/{name}.json: {'; '.join(problems)}"
                )

    def _fail(self, message: str) -> None:
        self.violations.append(message)
        raise AssertionError(message)


def _json_data_problems(body: Any) -> list[str]:
    """Seed 002 lines 43-48: JSONData is JSON text of an object (``contentMediaType`` is not asserted
    by jsonschema, so it is checked here)."""
    problems = []
    for key in ("CRMConfiguration", "CRMConfigurationCommon"):
        data = (
            body.get(key, {}).get("JSONData")
            if isinstance(body, dict) and isinstance(body.get(key), dict)
            else None
        )
        if isinstance(data, str):
            try:
                parsed = json.loads(data)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                problems.append(f"{key}/JSONData: not the JSON text of an object")
    return problems
