"""Row builders for communications and the communication queue, on top of ``factories.Factory``."""

from __future__ import annotations

import uuid
from typing import Any

from factories import Factory
from gateway.backends.sql import tables as t
from gateway.ids import uuid7


class CommsFactory(Factory):
    """A ``Factory`` that also builds categories, templates, external systems, communications and entries."""

    def category(self, name: str, **values: Any) -> uuid.UUID:
        return self._audited(t.communication_categories, {"name": name, **values})

    def template(self, name: str, **values: Any) -> uuid.UUID:
        return self._audited(t.communication_templates, {"name": name, **values})

    def external_system(self, name: str, **values: Any) -> uuid.UUID:
        return self._audited(t.communication_queue_external_systems, {"name": name, **values})

    def communication(
        self,
        contact_id: uuid.UUID,
        subject: str = "Hello",
        *,
        refers_to: tuple[tuple[str, uuid.UUID], ...] = (),
        **values: Any,
    ) -> uuid.UUID:
        """A communication (PHONE, INCOMING, COMPLETED unless told); numbers F1, F2 ... in build order."""
        self._numbers = getattr(self, "_numbers", 0) + 1
        number = f"F{self._numbers}"
        row = {
            "number": number,
            "direction": "INCOMING",
            "media": "PHONE",
            "subject": subject,
            "content": f"About {subject}",
            "life_cycle_state": "COMPLETED",
            "viewed": False,
            "contact_id": contact_id,
            **values,
        }
        communication_id = self._audited(t.communications, row)
        for position, (target_type, target_id) in enumerate(refers_to):
            self._pending[t.communication_references.name].append(
                {
                    "id": uuid7(),
                    "tenant": self.tenant,
                    "owner_id": communication_id,
                    "position": position,
                    "target_type": target_type,
                    "target_id": target_id,
                }
            )
        return communication_id

    def queue_entry(
        self,
        communication_id: uuid.UUID,
        contact_id: uuid.UUID,
        system_id: uuid.UUID,
        media: str = "SMS",
        **values: Any,
    ) -> uuid.UUID:
        row = {
            "communication_id": communication_id,
            "contact_id": contact_id,
            "external_system_id": system_id,
            "media": media,
            "life_cycle_state": "PENDING",
            "claim_count": 0,
            **values,
        }
        return self._audited(t.communication_queue_entries, row)
