"""The permission catalog: Thinx's CRM_* and CUST_* permissions (seed 000), extended in their style.

``CRM_ALL`` grants every ``CRM_*`` permission and ``CUST_ALL`` every ``CUST_*`` one. Seed 000 has no
permissions for leads, stages, users, automations, integration configs or API keys; the gateway adds
them with the same prefixes and verbs, marked ``source="gateway"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    source: str = "seed 000"

    @property
    def module(self) -> str:
        return self.name.split("_", 1)[0]


def _seed(name: str, description: str) -> Permission:
    return Permission(name, description)


def _gateway(name: str, description: str) -> Permission:
    return Permission(name, description, source="gateway")


CATALOG: tuple[Permission, ...] = (
    _seed("CRM_ACTIVITY_VIEW", "View activity associated with a contact or organization."),
    _seed("CRM_ALL", "Perform any CRM module functionality (grants every CRM_* permission)."),
    _seed("CRM_DOC_REMOVE", "Remove documents attached to contacts or organizations."),
    _seed("CRM_DOC_UPLOAD", "Upload documents to a contact or organization."),
    _seed("CRM_DOC_VIEW", "View the document list and uploaded documents."),
    _seed("CRM_RECEIVE_EMAIL", "Receive e-mails from the CRM module."),
    _seed("CRM_RECEIVE_SMS", "Receive SMS from the CRM module."),
    _seed("CRM_SEARCH_ALL", "Use free-text search (the `search` argument of lists)."),
    _seed("CRM_SEND_EMAIL", "Send e-mails from within the CRM module."),
    _seed("CRM_SEND_SMS", "Send SMS from within the CRM module."),
    _seed("CRM_TASK_CREATE", "Create tasks."),
    _seed("CRM_TASK_DELETE", "Delete and restore tasks."),
    _seed("CRM_VIEW_EMAIL", "View e-mail messages."),
    _seed("CRM_VIEW_SMS", "View SMS messages."),
    _gateway("CRM_TASK_VIEW", "View tasks, appointments and follow-ups."),
    _gateway("CRM_TASK_EDIT", "Update and complete tasks."),
    _gateway("CRM_LEAD_VIEW", "View leads."),
    _gateway("CRM_LEAD_CREATE", "Create leads."),
    _gateway("CRM_LEAD_EDIT", "Update leads and move them between stages."),
    _gateway("CRM_LEAD_DELETE", "Delete and restore leads."),
    _gateway("CRM_STAGE_VIEW", "View pipeline stages."),
    _gateway("CRM_STAGE_EDIT", "Create and update pipeline stages."),
    _gateway("CRM_STAGE_DELETE", "Delete and restore pipeline stages."),
    _gateway("CRM_USER_VIEW", "View the users of the tenant (e.g. to pick an assignee)."),
    _gateway("CRM_AUTOMATION_VIEW", "View automations."),
    _gateway("CRM_AUTOMATION_EDIT", "Create and update automations."),
    _gateway("CRM_AUTOMATION_DELETE", "Delete automations."),
    _gateway("CRM_INTEGRATION_VIEW", "View integration configurations (e.g. Akixi CRM configurations)."),
    _gateway("CRM_INTEGRATION_EDIT", "Create and change integration configurations."),
    _gateway("CRM_INTEGRATION_DELETE", "Delete integration configurations."),
    _gateway(
        "CRM_COMMUNICATION_VIEW",
        "View communications; e-mails also need CRM_VIEW_EMAIL and SMS CRM_VIEW_SMS.",
    ),
    _gateway(
        "CRM_COMMUNICATION_EDIT",
        "Create, update, complete and mark communications viewed; outgoing e-mails and SMS also need "
        "CRM_SEND_EMAIL or CRM_SEND_SMS.",
    ),
    _gateway("CRM_QUEUE_VIEW", "View the communication queue, its external systems and entries."),
    _gateway(
        "CRM_QUEUE_PROCESS",
        "Process the communication queue as an external sender: claim, complete, reject and remove entries.",
    ),
    _gateway(
        "CRM_ADMIN",
        "Administer the tenant: see every contact whatever its row permissions, manage API keys, "
        "franchises, departments, roles, security groups and users.",
    ),
    _seed("CUST_ALL", "Perform any customer functionality (grants every CUST_* permission)."),
    _seed("CUST_DELETE", "Delete and restore a contact (customer)."),
    _seed("CUST_ORGANIZATION_DELETE", "Delete and restore an organization (account)."),
    _seed("CUST_ORGANIZATION_EDIT", "Create and edit an organization (account) and its contacts."),
    _seed("CUST_ORGANIZATION_VIEW", "View organizations (accounts)."),
    _seed("CUST_READ", "Read contacts (customers)."),
    _gateway(
        "CUST_SENSITIVE_VIEW",
        "See a contact's id, passport and social security numbers in full (otherwise only their last 4 "
        "characters) and filter contacts by them.",
    ),
    _seed("CUST_TAG_ADD", "Add a tag to a contact or organization."),
    _seed("CUST_TAG_REMOVE", "Remove a tag from a contact or organization."),
    _seed("CUST_WRITE", "Create and edit contacts (customers)."),
)

BY_NAME = {permission.name: permission for permission in CATALOG}
MODULE_GRANTS = {"CRM": "CRM_ALL", "CUST": "CUST_ALL"}

# Names used by code, so that a typo is an import error rather than a silently unsatisfiable check.
CRM_ADMIN = "CRM_ADMIN"
CRM_ACTIVITY_VIEW = "CRM_ACTIVITY_VIEW"
CUST_SENSITIVE_VIEW = "CUST_SENSITIVE_VIEW"
CRM_SEARCH_ALL = "CRM_SEARCH_ALL"
CRM_USER_VIEW = "CRM_USER_VIEW"
CRM_TASK_VIEW, CRM_TASK_CREATE, CRM_TASK_EDIT, CRM_TASK_DELETE = (
    "CRM_TASK_VIEW",
    "CRM_TASK_CREATE",
    "CRM_TASK_EDIT",
    "CRM_TASK_DELETE",
)
CRM_LEAD_VIEW, CRM_LEAD_CREATE, CRM_LEAD_EDIT, CRM_LEAD_DELETE = (
    "CRM_LEAD_VIEW",
    "CRM_LEAD_CREATE",
    "CRM_LEAD_EDIT",
    "CRM_LEAD_DELETE",
)
CRM_STAGE_VIEW, CRM_STAGE_EDIT, CRM_STAGE_DELETE = "CRM_STAGE_VIEW", "CRM_STAGE_EDIT", "CRM_STAGE_DELETE"
CRM_COMMUNICATION_VIEW, CRM_COMMUNICATION_EDIT = "CRM_COMMUNICATION_VIEW", "CRM_COMMUNICATION_EDIT"
CRM_QUEUE_VIEW, CRM_QUEUE_PROCESS = "CRM_QUEUE_VIEW", "CRM_QUEUE_PROCESS"
CRM_AUTOMATION_VIEW, CRM_AUTOMATION_EDIT, CRM_AUTOMATION_DELETE = (
    "CRM_AUTOMATION_VIEW",
    "CRM_AUTOMATION_EDIT",
    "CRM_AUTOMATION_DELETE",
)
CRM_INTEGRATION_VIEW, CRM_INTEGRATION_EDIT, CRM_INTEGRATION_DELETE = (
    "CRM_INTEGRATION_VIEW",
    "CRM_INTEGRATION_EDIT",
    "CRM_INTEGRATION_DELETE",
)
CRM_VIEW_EMAIL, CRM_SEND_EMAIL, CRM_VIEW_SMS, CRM_SEND_SMS = (
    "CRM_VIEW_EMAIL",
    "CRM_SEND_EMAIL",
    "CRM_VIEW_SMS",
    "CRM_SEND_SMS",
)
CRM_RECEIVE_EMAIL, CRM_RECEIVE_SMS = "CRM_RECEIVE_EMAIL", "CRM_RECEIVE_SMS"
CRM_DOC_VIEW, CRM_DOC_UPLOAD, CRM_DOC_REMOVE = "CRM_DOC_VIEW", "CRM_DOC_UPLOAD", "CRM_DOC_REMOVE"
CUST_READ, CUST_WRITE, CUST_DELETE = "CUST_READ", "CUST_WRITE", "CUST_DELETE"
CUST_ORGANIZATION_VIEW, CUST_ORGANIZATION_EDIT, CUST_ORGANIZATION_DELETE = (
    "CUST_ORGANIZATION_VIEW",
    "CUST_ORGANIZATION_EDIT",
    "CUST_ORGANIZATION_DELETE",
)
CUST_TAG_ADD, CUST_TAG_REMOVE = "CUST_TAG_ADD", "CUST_TAG_REMOVE"

# Seed 000's "permission denied" codes: customers, organizations, tags, comments.
_DENIAL_CODES = (
    ("CUST_ORGANIZATION_", "CUST2103"),
    ("CUST_TAG_", "CUST3103"),
    ("CUST_", "CUST1103"),
)


def _check_names() -> None:
    for name, value in globals().items():
        if name.isupper() and isinstance(value, str) and value not in BY_NAME:
            raise AssertionError(f"{name} is not in the permission catalog")


_check_names()


def unknown_permissions(permissions: Iterable[str]) -> list[str]:
    """The names in ``permissions`` that are not in the catalog, sorted, each once."""
    return sorted({name for name in permissions if name not in BY_NAME})


def grants(held: Iterable[str], needed: str) -> bool:
    """Whether a holder of ``held`` has ``needed``, directly or through its module's ``*_ALL``."""
    held = held if isinstance(held, frozenset | set) else frozenset(held)
    if needed in held:
        return True
    module_all = MODULE_GRANTS.get(needed.split("_", 1)[0])
    return module_all is not None and module_all in held


def effective(held: Iterable[str]) -> frozenset[str]:
    """Every permission ``held`` amounts to: the explicit ones plus each granted module's catalog."""
    return _effective(frozenset(held))


@lru_cache(maxsize=1024)  # every request asks, and callers hold a few distinct sets
def _effective(held: frozenset[str]) -> frozenset[str]:
    granted = {p.name for p in CATALOG if grants(held, p.name)}
    return held | granted


def denial_code(needed: str) -> str | None:
    """Seed 000's code for a refusal of ``needed``; the CRM module defines none."""
    return next((code for prefix, code in _DENIAL_CODES if needed.startswith(prefix)), None)


# Communication media (seed 001) and what reading or sending one takes beyond the communications area's
# own CRM_COMMUNICATION_VIEW / CRM_COMMUNICATION_EDIT: seed 000 covers e-mail and SMS only.
COMMUNICATION_MEDIA = ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
MEDIA_VIEW_PERMISSIONS = {"EMAIL": CRM_VIEW_EMAIL, "SMS": CRM_VIEW_SMS}
MEDIA_SEND_PERMISSIONS = {"EMAIL": CRM_SEND_EMAIL, "SMS": CRM_SEND_SMS}
# Receiving (seed 000 CRM_RECEIVE_*): an INCOMING e-mail or SMS exists for its holders only, and only
# they may record one.
MEDIA_RECEIVE_PERMISSIONS = {"EMAIL": CRM_RECEIVE_EMAIL, "SMS": CRM_RECEIVE_SMS}


def visible_media(held: Iterable[str]) -> frozenset[str]:
    """The media whose communications a holder of ``held`` may read (a row rule of every read path)."""
    held = frozenset(held)
    return frozenset(
        media
        for media in COMMUNICATION_MEDIA
        if grants(held, MEDIA_VIEW_PERMISSIONS.get(media, CRM_COMMUNICATION_VIEW))
    )


def receivable_media(held: Iterable[str]) -> frozenset[str]:
    """The media whose INCOMING communications a holder of ``held`` may read (with ``visible_media``)."""
    held = frozenset(held)
    return frozenset(
        media
        for media in visible_media(held)
        if media not in MEDIA_RECEIVE_PERMISSIONS or grants(held, MEDIA_RECEIVE_PERMISSIONS[media])
    )


def communication_visible(held: Iterable[str], media: str, direction: str) -> bool:
    """Whether a holder of ``held`` may read a communication of this media and direction."""
    allowed = receivable_media(held) if direction == "INCOMING" else visible_media(held)
    return media in allowed
