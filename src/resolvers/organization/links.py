"""Membership lists in update inputs: a given list of IDs replaces the record's links of one relation."""

from __future__ import annotations

from typing import Any

from strawberry import UNSET

from gateway.backends.records import Relation
from resolvers.common.mutations import WritePlan
from resolvers.common.references import RefField, decode_ref_list


def plan_link_list(input: Any, plan: WritePlan, relation: Relation, field: RefField) -> None:
    """The IDs in ``field`` of the input replace the links (null or absent: unchanged)."""
    global_ids = getattr(input, field.name, None)
    if global_ids is None or global_ids is UNSET:
        return
    ids, refs, problems = decode_ref_list(global_ids, field)
    plan.links[relation] = ids
    plan.refs += refs
    plan.problems += problems
