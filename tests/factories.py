"""Fast test-data builders: rows go straight into the gateway's tables with SQLAlchemy Core.

A ``Factory`` works for one tenant. Its builder methods return the new row's id at once and keep
the row in memory; ``await factory.save()`` inserts everything kept so far with one executemany per
table, in foreign-key order. Each row gets a ``date_created`` one second after the previous one, so
the default order of every list (``date_created``, then id) is the order the rows were built in.

Also here: small helpers for reading GraphQL responses in tests (global IDs, error codes).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql import tables as t
from gateway.ids import uuid7
from resolvers.common.ids import encode_global_id

Row = dict[str, Any]
_last_id = 0


def ordered_uuid7() -> uuid.UUID:
    """A UUID7 greater than the previous one, so ids sort in the order rows were built (as a vendor's
    UUID7 ids do: the ConeCRM simulator's contacts have no ``dateCreated``, only their id's time)."""
    global _last_id
    value = uuid7().int
    if value <= _last_id:
        value = _last_id + 1
    _last_id = value
    return uuid.UUID(int=value)


BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


def gid(type_name: str, record_id: uuid.UUID) -> str:
    """The global ID the API shows for this row, e.g. ``gid("Contact", contact_id)``."""
    return encode_global_id(type_name, record_id)


class Factory:
    """Builds rows of one tenant; nothing reaches the database before ``save()``."""

    def __init__(
        self, engine: AsyncEngine, tenant: str, start: datetime = BASE_TIME, mirrors: Iterable[Any] = ()
    ) -> None:
        self.engine = engine
        # ConeCRM simulator stores that get the same records in seed 004's shapes (conecrm_seeding.py).
        self.mirrors = list(mirrors)
        self.tenant = tenant
        self.start = start
        self._ticks = 0
        self._pending: dict[str, list[Row]] = defaultdict(list)

    # -- time ------------------------------------------------------------------------------------

    def next_time(self) -> datetime:
        """The creation time of the next row: one second after the previous one."""
        self._ticks += 1
        return self.start + timedelta(seconds=self._ticks)

    # -- rows ------------------------------------------------------------------------------------

    def _audited(self, table: sa.Table, values: Row) -> uuid.UUID:
        row: Row = {
            "id": ordered_uuid7(),
            "tenant": self.tenant,
            "date_created": self.next_time(),
            "created_by": "factory",
            "version": 1,
            "is_deleted": False,
        }
        row.update(values)
        if row["is_deleted"] and "date_deleted" not in values:
            row["date_deleted"] = row["date_created"]
        self._pending[table.name].append(row)
        return row["id"]  # type: ignore[no-any-return]

    def tenant_row(self, name: str | None = None, vertical: str | None = None) -> str:
        """The ``tenants`` row that ``me.tenant`` reads its name from."""
        self._pending[t.tenants.name].append(
            {"key": self.tenant, "name": name or self.tenant, "vertical": vertical, "date_created": BASE_TIME}
        )
        return self.tenant

    def user(self, username: str, **values: Any) -> uuid.UUID:
        return self._audited(t.users, {"username": username, **values})

    def franchise(self, name: str, **values: Any) -> uuid.UUID:
        return self._audited(t.franchises, {"name": name, **values})

    def department(self, name: str, **values: Any) -> uuid.UUID:
        return self._audited(t.departments, {"name": name, **values})

    def role(self, name: str, permissions: list[str] | None = None, **values: Any) -> uuid.UUID:
        return self._audited(t.roles, {"name": name, "permissions": permissions or [], **values})

    def security_group(self, name: str, members: tuple[uuid.UUID, ...] = (), **values: Any) -> uuid.UUID:
        group = self._audited(t.security_groups, {"name": name, **values})
        for user in members:
            self._link_row(t.security_group_members, group_id=group, user_id=user)
        return group

    def user_role(self, user_id: uuid.UUID, role_id: uuid.UUID) -> None:
        self._link_row(t.user_roles, user_id=user_id, role_id=role_id)

    def _link_row(self, table: sa.Table, **columns: uuid.UUID) -> None:
        self._pending[table.name].append({"tenant": self.tenant, **columns, "date_created": self.next_time()})

    def stage(self, name: str, position: int = 0, **values: Any) -> uuid.UUID:
        return self._audited(t.stages, {"name": name, "position": position, **values})

    def contact(
        self,
        first_name: str | None = None,
        last_name: str | None = None,
        *,
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        **values: Any,
    ) -> uuid.UUID:
        """A contact (a PERSON unless ``kind`` says otherwise), with e-mail addresses and E.164 phones."""
        contact_id = self._audited(
            t.contacts, {"first_name": first_name, "last_name": last_name, "languages_spoken": [], **values}
        )
        for address in emails:
            self.email(contact_id, address)
        for number in phones:
            self.phone(contact_id, number)
        return contact_id

    def account(
        self, name: str, *, contacts: Iterable[uuid.UUID] = (), emails: Iterable[str] = (), **values: Any
    ) -> uuid.UUID:
        """An account, linked to these contacts through ``account_contacts``."""
        account_id = self._audited(t.accounts, {"name": name, **values})
        for contact_id in contacts:
            self.link(account_id, contact_id)
        for address in emails:
            self.email(account_id, address)
        return account_id

    def link(self, account_id: uuid.UUID, contact_id: uuid.UUID, tenant: str | None = None) -> None:
        """An ``account_contacts`` row; ``tenant`` may differ from the factory's to fake a corrupted link."""
        self._pending[t.account_contacts.name].append(
            {
                "tenant": tenant or self.tenant,
                "account_id": account_id,
                "contact_id": contact_id,
                "date_created": self.next_time(),
            }
        )

    def email(self, owner_id: uuid.UUID, address: str, tenant: str | None = None) -> uuid.UUID:
        position = sum(1 for row in self._pending[t.emails.name] if row["owner_id"] == owner_id)
        row = {
            "id": ordered_uuid7(),
            "tenant": tenant or self.tenant,
            "owner_id": owner_id,
            "position": position,
            "email": address,
            "is_primary": position == 0,
        }
        self._pending[t.emails.name].append(row)
        return row["id"]  # type: ignore[return-value]

    def phone(self, owner_id: uuid.UUID, number: str, mode: str = "PHONE") -> uuid.UUID:
        position = sum(1 for row in self._pending[t.phones.name] if row["owner_id"] == owner_id)
        row = {
            "id": ordered_uuid7(),
            "tenant": self.tenant,
            "owner_id": owner_id,
            "position": position,
            "mode": mode,
            "number": number,
            "is_primary": position == 0,
        }
        self._pending[t.phones.name].append(row)
        return row["id"]  # type: ignore[return-value]

    def contact_permission(
        self, contact_id: uuid.UUID, permission: str | None = None, *, owner_only: bool = False
    ) -> uuid.UUID:
        """A contact's row rule (seed 000 ContactPermission): private, or for holders of ``permission``."""
        pending = self._pending[t.contact_permissions.name]
        row = {
            "id": ordered_uuid7(),
            "tenant": self.tenant,
            "owner_id": contact_id,
            "position": sum(1 for row in pending if row["owner_id"] == contact_id),
            "owner_only": owner_only,
            "permission": permission,
        }
        pending.append(row)
        return row["id"]  # type: ignore[return-value]

    def lead(self, subject: str, **values: Any) -> uuid.UUID:
        """A lead; pass ``contact_id``, ``account_id``, ``stage_id``, ``status``, ``priority`` ..."""
        return self._audited(t.leads, {"subject": subject, **values})

    def event(self, title: str, kind: str = "TASK", **values: Any) -> uuid.UUID:
        """A task, appointment or follow-up (``kind`` TASK, APPOINTMENT or FOLLOW_UP)."""
        return self._audited(t.events, {"title": title, "kind": kind, **values})

    def task(self, title: str, **values: Any) -> uuid.UUID:
        return self.event(title, "TASK", **values)

    def tag(self, value: str, **values: Any) -> uuid.UUID:
        """A tag of the tenant's catalogue (seed 000 Tag)."""
        return self._audited(t.tags, {"value": value, "value_key": value.strip().casefold(), **values})

    def tag_owner(self, owner_id: uuid.UUID, *tag_ids: uuid.UUID) -> None:
        """The contact or account ``owner_id`` carries these tags."""
        for tag_id in tag_ids:
            row = {
                "tenant": self.tenant,
                "tag_id": tag_id,
                "owner_id": owner_id,
                "date_created": self.next_time(),
            }
            self._pending[t.tag_assignments.name].append(row)

    def comment(
        self, owner_id: uuid.UUID, text: str, owner_type: str = "CONTACT", **values: Any
    ) -> uuid.UUID:
        """A comment on a contact (or, with ``owner_type="ACCOUNT"``, an account)."""
        return self._audited(
            t.comments, {"owner_id": owner_id, "owner_type": owner_type, "text": text, **values}
        )

    # -- seed 000 people model (issue 19) ---------------------------------------------------------

    def url(self, owner_id: uuid.UUID, address: str, **values: Any) -> uuid.UUID:
        pending = self._pending[t.urls.name]
        position = sum(1 for row in pending if row["owner_id"] == owner_id)
        row = {"id": uuid7(), "tenant": self.tenant, "owner_id": owner_id, "position": position}
        row.update({"address": address, "label": None, "icon": None, "type": None, "is_primary": False})
        row.update(values)
        pending.append(row)
        return row["id"]  # type: ignore[return-value]

    def occasion(self, day: date, *, recurring: bool = False, **values: Any) -> uuid.UUID:
        """An occasion; pass ``contact_id`` or ``account_id``."""
        month_day = day.month * 100 + day.day
        return self._audited(
            t.occasions, {"date": day, "month_day": month_day, "recurring": recurring, **values}
        )

    def contact_relation(
        self, contact_id: uuid.UUID, type: str = "FAMILY_MEMBER", **values: Any
    ) -> uuid.UUID:
        """A relation; pass ``related_contact_id`` or ``related_account_id`` (and ``is_key``)."""
        return self._audited(t.contact_relations, {"contact_id": contact_id, "type": type, **values})

    def document(
        self, owner_id: uuid.UUID, name: str, owner_type: str = "Contact", **values: Any
    ) -> uuid.UUID:
        """A document's row (no file in storage: enough for lists and their cost)."""
        row = {
            "owner_id": owner_id,
            "owner_type": owner_type,
            "name": name,
            "content_type": "application/pdf",
        }
        return self._audited(t.documents, {**row, "size": 4, "storage_key": f"none/{uuid7()}", **values})

    # -- the activity timeline's own sources (issue 22) --------------------------------------------

    def stage_change(
        self,
        lead_id: uuid.UUID,
        from_stage_id: uuid.UUID | None,
        to_stage_id: uuid.UUID | None,
        **values: Any,
    ) -> uuid.UUID:
        """A recorded move of a lead (as the writer records one); ``created_by`` is who moved it."""
        row = {"lead_id": lead_id, "from_stage_id": from_stage_id, "to_stage_id": to_stage_id}
        return self._audited(t.lead_stage_changes, {**row, **values})

    def automation_run(self, record_id: uuid.UUID, entity: str = "lead", **values: Any) -> uuid.UUID:
        """A run log row of an automation (of no stored automation: the log keeps runs of deleted ones)."""
        at = values.pop("date_created", None) or self.next_time()
        row = {
            "id": ordered_uuid7(),
            "tenant": self.tenant,
            "automation_id": uuid7(),
            "automation_name": "Follow up",
            "event_id": uuid7(),
            "trigger": "lead.stageChanged" if entity == "lead" else "task.completed",
            "entity": entity,
            "record_id": record_id,
            "depth": 0,
            "status": "SUCCEEDED",
            "reason": None,
            "message": None,
            "actions": "[]",
            "started_at": at,
            "finished_at": at,
            "date_created": at,
            **values,
        }
        self._pending[t.automation_runs.name].append(row)
        return row["id"]  # type: ignore[return-value]

    # -- writing ---------------------------------------------------------------------------------

    async def save(self) -> None:
        """Insert every row built so far, parents before children, in one transaction."""
        pending, self._pending = self._pending, defaultdict(list)
        if self.mirrors:
            from conecrm_seeding import mirror

            for store in self.mirrors:
                mirror(pending, self.tenant, store)
        async with self.engine.begin() as connection:
            for table in t.metadata.sorted_tables:
                rows = pending.get(table.name)
                if not rows:
                    continue
                # executemany needs the same columns in every row of one statement.
                by_columns: dict[tuple[str, ...], list[Row]] = defaultdict(list)
                for row in rows:
                    by_columns[tuple(sorted(row))].append(row)
                for batch in by_columns.values():
                    await connection.execute(table.insert(), batch)

    async def execute(self, statement: sa.Executable) -> None:
        """Run a statement directly, e.g. to soft-delete or corrupt a row behind the API's back."""
        async with self.engine.begin() as connection:
            await connection.execute(statement)


# -- responses -------------------------------------------------------------------------------------


def assert_clean_error(response: httpx.Response) -> dict[str, Any]:
    """A failed request that failed properly: not a 500, JSON ``errors`` with messages, no traceback."""
    assert response.status_code != 500, response.text
    assert "Traceback" not in response.text, response.text
    body = response.json()
    assert isinstance(body, dict), body
    errors = body.get("errors")
    assert errors, body
    for error in errors:
        assert isinstance(error.get("message"), str) and error["message"], body
    return body  # type: ignore[no-any-return]


def error_code(response: httpx.Response) -> str:
    """``extensions.code`` of the first error of a response that must have failed cleanly."""
    body = assert_clean_error(response)
    code = (body["errors"][0].get("extensions") or {}).get("code")
    assert code, body
    return code  # type: ignore[no-any-return]
