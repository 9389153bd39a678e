"""The contract hook the simulators share: tests pass a callable that checks each request and answer
against the seed's schemas; what it raises becomes ``ContractViolation`` (the simulator answers 422)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Contract = Callable[[str, str, Any], None]  # (direction "request"/"response", method, payload)


class ContractViolation(Exception):
    """What ``contract`` raised: the test's schema refused a request body or an answer."""


def check(contract: Contract, direction: str, method: str, payload: Any) -> None:
    try:
        contract(direction, method, payload)
    except Exception as error:
        raise ContractViolation(f"{direction} of {method}: {error}") from error
