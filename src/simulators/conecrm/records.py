"""Seed 004's request bodies, checked member by member, and the records the simulator builds from them.

Strict where the seed is precise: a body member the seed does not define, or a member of the wrong
type, is refused with 400 before anything is stored. Line numbers are seed 004's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from simulators.conecrm.ids import uuid7

STRING, BOOLEAN, INTEGER, REF, REFS, UUID_TEXT, DATETIME = (
    "string",
    "boolean",
    "integer",
    "ref",
    "refs",
    "uuid",
    "datetime",
)
# BaseCustomer members (l. 12468-12485) a body may set.
CUSTOMER_BODY = {
    **{name: STRING for name in ("primaryEmail", "secondaryEmail", "homePhone", "workPhone")},
    **{name: STRING for name in ("workPhoneExtension", "mobilePhone", "address", "city", "province")},
    **{name: STRING for name in ("postalCode", "country", "language")},
    "isActive": BOOLEAN,
}
# POST /api/account (l. 1507-1576) and PATCH /api/account/{account} (l. 2980-3050).
ACCOUNT_BODY = {"name": STRING, **CUSTOMER_BODY, "primaryContact": REF, "contacts": REFS}
# LeadCreateRequest (l. 16234-16305); required: subject, department, contact, source, franchise.
LEAD_BODY = {
    "subject": STRING,
    "department": REF,
    "makeStr": STRING,
    "modelStr": STRING,
    "yearStr": STRING,
    "trimStr": STRING,
    "contact": REF,
    "account": REF,
    "assignees": REFS,
    "description": STRING,
    "source": REF,
    "category": STRING,
    "utmCampaign": STRING,
    "utmSource": STRING,
    "customerInitiated": BOOLEAN,
    "leadHandlingInstructions": STRING,
    "franchise": REF,
    "customFieldValues": "customFieldValues",
}
LEAD_REQUIRED = ("subject", "department", "contact", "source", "franchise")
NULLABLE_LEAD = {
    "makeStr",
    "modelStr",
    "yearStr",
    "trimStr",
    "account",
    "description",
    "category",
    "utmCampaign",
    "utmSource",
    "leadHandlingInstructions",
    "customFieldValues",
}
# CopyLeadData (l. 16306-16956): whole Contact, Account, Department and Franchise objects, each of
# which names its record by ``id``; required: contact.
COPY_LEAD_BODY = {
    "contact": "contact",
    "account": "account",
    "subject": STRING,
    "department": "department",
    "franchise": "franchise",
}
COPY_LEAD_REQUIRED = ("contact",)
NULLABLE_COPY_LEAD = {"account", "subject", "department", "franchise"}
_BASE_RECORD = (
    *("id", "dateCreated", "createdBy", "dateModified", "modifiedBy", "isDeleted"),
    *("dateDeleted", "deletedBy", "dtype"),
)
# The members of those objects (BaseCustomer l. 12423-12485 with Contact l. 12529-12742 and Account
# l. 12018-12422; Department l. 16957-16990; Franchise l. 13148-13160 over BaseRecord).
_CUSTOMER_MEMBERS = ("id", *CUSTOMER_BODY, "thirdPartyIds")
OBJECT_MEMBERS = {
    "contact": frozenset(
        (
            *_CUSTOMER_MEMBERS,
            *("firstName", "lastName", "companyName", "civility", "preferredMethodOfContact", "accounts"),
        )
    ),
    "account": frozenset((*_CUSTOMER_MEMBERS, "name", "primaryContact", "contacts")),
    "department": frozenset(("id", "name", "franchise", "pipeline")),
    "franchise": frozenset((*_BASE_RECORD, "name", "code", "isActive")),
}
# TaskRequest (l. 15626-15662); required: assignee, title.
TASK_BODY = {
    "type": STRING,
    "assignee": UUID_TEXT,
    "start": DATETIME,
    "end": DATETIME,
    "title": STRING,
    "note": STRING,
    "contact": UUID_TEXT,
    "account": UUID_TEXT,
    "connection": UUID_TEXT,
}
TASK_REQUIRED = ("assignee", "title")
NULLABLE_TASK = {"type", "start", "end", "note", "contact", "account", "connection"}
TASK_TYPES = ("CALL", "", "MEETING", "OTHER", "SMS", "FOLLOW_UP", "REMINDER", "LINKEDIN_MESSAGE", "DM")
# ConnectionStage (l. 11767-11776).
STAGE_BODY = {"id": UUID_TEXT, "name": STRING}


class BodyProblem(ValueError):
    """A body the seed does not allow: ``problems`` maps member -> message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {text}" for name, text in problems.items()))
        self.problems = problems


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def _type_problem(kind: str, value: Any) -> str | None:
    if kind == STRING:
        return None if isinstance(value, str) else "must be a string"
    if kind == BOOLEAN:
        return None if isinstance(value, bool) else "must be a boolean"
    if kind == INTEGER:
        return None if isinstance(value, int) and not isinstance(value, bool) else "must be an integer"
    if kind == UUID_TEXT:
        return None if _is_uuid(value) else "must be a UUID string"
    if kind == DATETIME:
        if not isinstance(value, str):
            return "must be a date-time string"
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "must be a date-time string"
        return None
    if kind == REF:
        ok = isinstance(value, dict) and set(value) <= {"id"} and _is_uuid(value.get("id"))
        return None if ok else 'must be an object {"id": UUID}'
    if kind == REFS:
        ok = isinstance(value, list) and all(_type_problem(REF, item) is None for item in value)
        return None if ok else 'must be a list of {"id": UUID}'
    if kind == "customFieldValues":
        ok = isinstance(value, list) and all(
            isinstance(item, dict)
            and set(item) <= {"field", "value"}
            and _type_problem(REF, item.get("field")) is None
            and isinstance(item.get("value"), str)
            for item in value
        )
        return None if ok else 'must be a list of {"field": {"id": UUID}, "value": string}'
    if kind in OBJECT_MEMBERS:
        if not isinstance(value, dict) or not _is_uuid(value.get("id")):
            return f'must be a {kind} object with its "id" (UUID)'
        unknown = sorted(set(value) - OBJECT_MEMBERS[kind])
        return f"has members its schema does not define: {', '.join(unknown)}" if unknown else None
    raise AssertionError(kind)


def check(
    body: Any,
    members: dict[str, str],
    *,
    required: tuple[str, ...] = (),
    nullable: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The body if every member is the seed's, of the seed's type; else BodyProblem."""
    if not isinstance(body, dict):
        raise BodyProblem({"body": "must be a JSON object"})
    problems: dict[str, str] = {}
    for name, value in body.items():
        if name not in members:
            problems[name] = "is not a member of this request"
        elif value is None:
            if name not in nullable:
                problems[name] = "must not be null"
        else:
            problem = _type_problem(members[name], value)
            if problem:
                problems[name] = problem
    for name in required:
        if body.get(name) in (None, "") and name not in problems:
            problems[name] = "is required"
    if problems:
        raise BodyProblem(problems)
    return body


def base_record(dtype: str, actor: str, record_id: str | None = None) -> dict[str, Any]:
    """BaseRecord (l. 13051-13088) of a new record."""
    return {
        "id": record_id or str(uuid7()),
        "dateCreated": now(),
        "createdBy": {"id": actor},
        "dateModified": None,
        "modifiedBy": None,
        "isDeleted": False,
        "dateDeleted": None,
        "deletedBy": None,
        "dtype": dtype,
    }


def customer(**values: Any) -> dict[str, Any]:
    """A BaseCustomer (l. 12423-12485) with every member present (null when unset)."""
    record: dict[str, Any] = {"id": str(uuid7())}
    record.update({name: None for name in CUSTOMER_BODY})
    record["isActive"] = True
    record["thirdPartyIds"] = []
    record.update(values)
    return record


def contact(**values: Any) -> dict[str, Any]:
    """Contact (l. 12529-12742)."""
    base = customer()
    base.update(
        firstName=None,
        lastName=None,
        companyName=None,
        civility=None,
        preferredMethodOfContact=None,
        accounts=[],
    )
    base.update(values)
    return base


def account(**values: Any) -> dict[str, Any]:
    """Account (l. 12018-12422)."""
    base = customer()
    base.update(name=None, primaryContact=None, contacts=[])
    base.update(values)
    return base


def lead(actor: str, **values: Any) -> dict[str, Any]:
    """Lead (l. 12743-12910) over Connection (l. 12911-13050)."""
    record = base_record("Lead", actor)
    record.update(
        subject=None,
        description=None,
        status=None,
        source=None,
        contact=None,
        account=None,
        franchise=None,
        dueDate=None,
        stage=None,
        direction=None,
        isQualified=False,
        priority=None,
        thirdPartyIds=[],
        category=None,
        customerInitiated=False,
        leadHandlingInstructions=None,
    )
    record.update(values)
    return record


def event(actor: str, dtype: str = "Task", **values: Any) -> dict[str, Any]:
    """EventBase (l. 17077-17927) and Task (l. 17928-18768); references as ``{"id"}``."""
    record = base_record(dtype, actor)
    record.update(
        connection=None,
        start=None,
        end=None,
        title=None,
        note=None,
        assignee=None,
        taskDone=False,
        notified=False,
        edited=None,
        tenant=None,
        contact=None,
        account=None,
    )
    if dtype == "Task":
        record["type"] = None
    record.update(values)
    return record


def stage(**values: Any) -> dict[str, Any]:
    """ConnectionStage (l. 11767-11776)."""
    return {"id": str(uuid7()), "name": None, **values}


def ref(value: str | None) -> dict[str, str] | None:
    return {"id": value} if value else None
