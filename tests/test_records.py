"""GraphQL objects built from backend records read their fields off the record when asked."""

from __future__ import annotations

import dataclasses
import inspect
import uuid
from datetime import UTC, datetime

from gateway.backends.query import ListQuery, OrderKey, PageRequest
from gateway.backends.records import LeadRecord
from resolvers.common.records import from_record
from resolvers.leads.types import Lead, LeadStatus

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _lead_record(subject: str = "Roof", **values: object) -> LeadRecord:
    return LeadRecord(id=uuid.uuid4(), tenant="t", date_created=NOW, subject=subject, **values)  # type: ignore[arg-type]


def test_an_object_from_a_record_shows_the_record_values_with_enums_as_members() -> None:
    record = _lead_record(status="WON", priority=3)
    lead = from_record(Lead, record)
    assert (lead.subject, lead.status, lead.priority, lead.source) == ("Roof", LeadStatus.WON, 3, None)
    assert lead.status is LeadStatus.WON
    assert lead.record is record


def test_values_given_beside_the_record_win_and_objects_do_not_share_values() -> None:
    first = from_record(Lead, _lead_record(subject="First"), subject="Given")
    second = from_record(Lead, _lead_record(subject="Second"))
    assert (first.subject, second.subject) == ("Given", "Second")


def test_an_object_built_by_its_constructor_keeps_its_own_values() -> None:
    from_record(Lead, _lead_record())  # the class now reads unset fields off records
    names = [name for name in inspect.signature(Lead.__init__).parameters if name != "self"]
    built = Lead(**dict.fromkeys(names) | {"subject": "Built"})
    assert built.subject == "Built"
    assert built.status is None


def test_equal_list_queries_hash_alike_after_a_first_hash() -> None:
    first = ListQuery(order=(OrderKey("name"),), page=PageRequest(first=5))
    hash(first)
    second = ListQuery(order=(OrderKey("name"),), page=PageRequest(first=5))
    assert first == second and hash(first) == hash(second)
    assert {first: 1}[second] == 1
    assert dataclasses.replace(first, search="x") != first
    assert repr(first) == repr(second)
