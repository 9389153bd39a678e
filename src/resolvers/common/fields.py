"""Input field shorthands: optional with null default, or UNSET for "leave as is" in updates."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import UNSET


def optional_field(description: str, name: str | None = None) -> Any:
    return strawberry.field(default=None, description=description, name=name)


def unset_field(description: str) -> Any:
    return strawberry.field(default=UNSET, description=description)
