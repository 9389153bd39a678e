"""Test data for the ConeCRM simulator: the rows a ``Factory`` builds, put into the simulator's own store
in seed 004's shapes (the simulator shares no table with the gateway).

What seed 004 has no member for (a contact's kind, gender, middle name; a lead's status text; a stage's
position; versions) is not carried: the simulator holds only what a ConeCRM instance could hold.
Soft-deleted contacts and accounts are left out (seed 004's BaseCustomer has no ``isDeleted``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from simulators.conecrm import records
from simulators.conecrm.ids import user_id
from simulators.conecrm.store import Store

Row = dict[str, Any]
PHONE_SLOTS = ("homePhone", "workPhone", "mobilePhone")
# The gateway's customer columns and their seed 004 members (BaseCustomer l. 12468-12485), written out
# here rather than taken from the connector's mapping: the test data must not agree with it by construction.
CUSTOMER_COLUMNS = {
    "language": "language",
    "address": "address",
    "city": "city",
    "province": "province",
    "postal_code": "postalCode",
    "country": "country",
    "is_active": "isActive",
}


def _text(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _ref(value: Any) -> dict[str, str] | None:
    return {"id": str(value)} if value else None


def _user(value: Any) -> dict[str, str] | None:
    return {"id": user_id(str(value))} if value else None


def _base(row: Row, dtype: str) -> Row:
    return {
        "id": str(row["id"]),
        "dateCreated": _text(row["date_created"]),
        "createdBy": {"id": user_id(str(row.get("created_by") or "factory"))},
        "dateModified": _text(row.get("date_modified")),
        "modifiedBy": _user(row.get("modified_by")),
        "isDeleted": bool(row.get("is_deleted")),
        "dateDeleted": _text(row.get("date_deleted")),
        "deletedBy": _user(row.get("deleted_by")),
        "dtype": dtype,
    }


def _customer_parts(record: Row, emails: list[Row], phones: list[Row], third: list[Row], tenant: str) -> None:
    for name, row in zip(
        ("primaryEmail", "secondaryEmail"), sorted(emails, key=lambda r: r["position"]), strict=False
    ):
        record[name] = row["email"]
    for row in sorted(phones, key=lambda r: r["position"]):
        wanted = (
            "mobilePhone"
            if row["mode"] == "MOBILE"
            else "workPhone"
            if row.get("type") == "WORK"
            else "homePhone"
        )
        slot = (
            wanted
            if record.get(wanted) is None
            else next((s for s in PHONE_SLOTS if record.get(s) is None), None)
        )
        if slot is not None:
            record[slot] = row["number"]
            if slot == "workPhone" and row.get("extension"):
                record["workPhoneExtension"] = row["extension"]
    record["thirdPartyIds"] = [
        {
            **_base({"id": row["id"], "date_created": row["date_created"]}, "ThirdPartyId"),
            "customer": {"id": record["id"]},
            "systemName": row["system_name"],
            "thirdPartyId": row["third_party_id"],
            "metadata": row.get("metadata"),
            "tenant": {"id": tenant},
        }
        for row in third
    ]


def mirror(pending: dict[str, list[Row]], tenant: str, store: Store) -> None:
    """Put the factory's pending rows of one save into the simulator's store, as seed 004 records."""
    by_owner: dict[str, dict[str, list[Row]]] = {
        t: defaultdict(list) for t in ("emails", "phones", "third_party_ids")
    }
    for table in by_owner:
        for row in pending.get(table, []):
            if row["tenant"] == tenant:
                by_owner[table][str(row["owner_id"])].append(row)
    links = [r for r in pending.get("account_contacts", []) if r["tenant"] == tenant]
    for row in pending.get("stages", []):
        if not row.get("is_deleted"):
            store.put(tenant, "stage", records.stage(id=str(row["id"]), name=row["name"]))
    customers = (("contacts", "contact"), ("accounts", "account"))
    for table, kind in customers:
        for row in pending.get(table, []):
            if row.get("is_deleted"):
                continue
            key = str(row["id"])
            if kind == "contact":
                record = records.contact(
                    id=key,
                    firstName=row.get("first_name"),
                    lastName=row.get("last_name"),
                    companyName=row.get("company_name"),
                    civility=row.get("civility"),
                    preferredMethodOfContact=row.get("preferred_method_of_contact"),
                    accounts=[
                        {"id": str(link["account_id"])} for link in links if str(link["contact_id"]) == key
                    ],
                )
            else:
                record = records.account(
                    id=key,
                    name=row["name"],
                    primaryContact=_ref(row.get("primary_contact_id")),
                    contacts=[
                        {"id": str(link["contact_id"])} for link in links if str(link["account_id"]) == key
                    ],
                )
            record.update(
                {
                    seed: row[column]
                    for column, seed in CUSTOMER_COLUMNS.items()
                    if row.get(column) is not None
                }
            )
            _customer_parts(
                record,
                by_owner["emails"][key],
                by_owner["phones"][key],
                by_owner["third_party_ids"][key],
                tenant,
            )
            store.put(tenant, kind, record)
    for row in pending.get("leads", []):
        store.put(
            tenant,
            "lead",
            records.lead(
                "factory",
                **_base(row, "Lead"),
                subject=row["subject"],
                description=row.get("description"),
                contact=_ref(row.get("contact_id")),
                account=_ref(row.get("account_id")),
                stage=_ref(row.get("stage_id")),
                franchise=_ref(row.get("franchise_id")),
                dueDate=_text(row.get("due_date")),
                direction=row.get("direction"),
                isQualified=bool(row.get("is_qualified")),
                priority=row.get("priority"),
                category=row.get("category"),
                connectionClosedDate=_text(row.get("closed_date")),
                lostDate=_text(row.get("lost_date")),
            ),
        )
    dtypes = {"TASK": "Task", "APPOINTMENT": "Appointment", "FOLLOW_UP": "FollowUp"}
    for row in pending.get("events", []):
        dtype = dtypes[row.get("kind") or "TASK"]
        values = {"type": row.get("type")} if dtype == "Task" else {}
        store.put(
            tenant,
            "event",
            records.event(
                "factory",
                dtype,
                **{k: v for k, v in _base(row, dtype).items() if k != "dtype"},
                **values,
                title=row["title"],
                note=row.get("note"),
                start=_text(row.get("start")),
                end=_text(row.get("end")),
                taskDone=bool(row.get("task_done")),
                notified=bool(row.get("notified")),
                assignee=_ref(row.get("assignee_id")),
                tenant={"id": tenant, "name": tenant},
                contact=_ref(row.get("contact_id")),
                account=_ref(row.get("account_id")),
                connection=_ref(row.get("lead_id")),
            ),
        )
