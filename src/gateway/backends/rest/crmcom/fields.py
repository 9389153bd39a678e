"""``fields_set``: the CRM.COM fields a query needs, from the GraphQL fields it selects (seed 001: "A list
of fields that should be included in the results. If not specified then all the available fields will
be returned").

Always asked for: ``id``, ``log_information`` (creation time: cursors and default order), ``media`` and
``contact_information`` (the media rule and the contacts' row rules), and for a queue entry the links
its record cannot be without (``communication``, ``communication_queue_external_system``). A GraphQL
field this table does not know makes the whole record be fetched, so a new field is never left empty.
"""

from __future__ import annotations

from gateway.backends.records import Entity
from gateway.backends.rest.crmcom.contacts import CONTACT_FIELDS
from gateway.backends.rest.crmcom.mapping import COMMUNICATION_FIELDS, QUEUE_ENTRY_FIELDS
from gateway.selection import Selection

FIELDS = {
    Entity.COMMUNICATION: COMMUNICATION_FIELDS,
    Entity.COMMUNICATION_QUEUE_ENTRY: QUEUE_ENTRY_FIELDS,
    Entity.CONTACT: CONTACT_FIELDS,  # always whole: its sets are the contact's detail lists
}
TYPE_NAMES = {
    Entity.COMMUNICATION: "Communication",
    Entity.COMMUNICATION_QUEUE_ENTRY: "CommunicationQueueEntry",
}
ALWAYS = ("id", "log_information", "media", "contact_information")
UDFS = (("string", 8), ("float", 4), ("date", 4))  # udfString1 -> udf_string_1 ...
ENTRY_LINKS = ("communication", "communication_queue_external_system")
AUDIT = {name: ("log_information",) for name in ("dateCreated", "dateModified", "createdBy", "modifiedBy")}
# Fields CRM.COM does not hold (the graph shows their defaults) or that are read another way.
NOTHING: dict[str, tuple[str, ...]] = {
    name: () for name in ("__typename", "id", "isDeleted", "dateDeleted", "deletedBy", "version")
}
GRAPH_TO_CRMCOM: dict[Entity, dict[str, tuple[str, ...]]] = {
    Entity.COMMUNICATION: {
        **AUDIT,
        **NOTHING,
        **{
            name: (name,)
            for name in ("number", "direction", "media", "subject", "content", "to", "notes", "viewed")
        },
        "lifeCycleState": ("life_cycle_state",),
        "viewedOn": ("viewed_on",),
        "completedOn": ("completed_on",),
        "ownedByGroup": ("owned_by_group",),
        "privacyLevel": ("privacy_level",),
        "contact": ("contact_information",),
        "category": ("category",),
        "template": ("template",),
        "externalSystem": ("communication_queue_external_system",),
        **{
            f"udf{kind.title()}{n}": (f"udf_{kind}_{n}",) for kind, count in UDFS for n in range(1, count + 1)
        },
        "referringTo": (),  # not read from CRM.COM
        "queueEntries": (),  # listed by media and contact, which are always fetched
    },
    Entity.COMMUNICATION_QUEUE_ENTRY: {
        **AUDIT,
        **NOTHING,
        **{name: () for name in ("claimedBy", "leaseExpiresAt", "claimCount")},  # CRM.COM has no claims
        "media": ("media",),
        "lifeCycleState": ("life_cycle_state",),
        "errorCode": ("error_code",),
        "errorDescription": ("error_description",),
        "completedOn": ("completed_on",),
        "rejectedOn": ("rejected_on",),
        "removedOn": ("removed_on",),
        "communication": ("communication",),
        "contact": ("contact_information",),
        "externalSystem": ("communication_queue_external_system",),
    },
}


def fields_for(selection: Selection) -> dict[Entity, tuple[str, ...]]:
    narrowed = {
        entity: _fields(entity, selection.get(name, frozenset())) for entity, name in TYPE_NAMES.items()
    }
    return FIELDS | narrowed


def _fields(entity: Entity, selected: frozenset[str]) -> tuple[str, ...]:
    known = GRAPH_TO_CRMCOM[entity]
    if not selected <= set(known):
        return FIELDS[entity]
    always = ALWAYS if entity is Entity.COMMUNICATION else (*ALWAYS, *ENTRY_LINKS)
    wanted = {field for name in selected for field in known[name]}
    return (*always, *sorted(wanted - set(always)))
