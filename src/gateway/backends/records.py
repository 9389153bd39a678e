"""Plain records the backends return. The graph depends on these, never on ORM rows or JSON bodies.

Enumerated values are stored and carried as their string names (``"PERSON"``, ``"CALL"``); the
GraphQL layer turns them into enums.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from gateway.backends.automations import AutomationRunFields

# The per-tenant counter that numbers communications (seed 001 `number`), in commit order.
COMMUNICATION_NUMBER_COUNTER = "communication_number"


class Entity(StrEnum):
    """Entity types with their own identity, list and node lookup."""

    CONTACT = "Contact"
    ACCOUNT = "Account"
    LEAD = "Lead"
    EVENT = "Event"
    STAGE = "Stage"
    USER = "User"
    FRANCHISE = "Franchise"
    DEPARTMENT = "Department"
    ROLE = "Role"
    SECURITY_GROUP = "SecurityGroup"
    USER_SETTINGS = "UserSettings"
    COMMUNICATION = "Communication"
    COMMUNICATION_TEMPLATE = "CommunicationTemplate"
    COMMUNICATION_CATEGORY = "CommunicationCategory"
    COMMUNICATION_QUEUE_EXTERNAL_SYSTEM = "CommunicationQueueExternalSystem"
    COMMUNICATION_QUEUE_ENTRY = "CommunicationQueueEntry"
    TAG = "Tag"
    COMMENT = "Comment"
    OCCASION = "Occasion"
    CONTACT_RELATION = "ContactRelation"
    DOCUMENT = "Document"
    LEAD_STAGE_CHANGE = "LeadStageChange"
    AUTOMATION_RUN = "AutomationRun"


class Relation(StrEnum):
    """Nested lists from a parent entity to many children."""

    CONTACT_ACCOUNTS = "contact.accounts"
    CONTACT_LEADS = "contact.leads"
    CONTACT_EVENTS = "contact.events"
    ACCOUNT_CONTACTS = "account.contacts"
    ACCOUNT_LEADS = "account.leads"
    ACCOUNT_EVENTS = "account.events"
    LEAD_EVENTS = "lead.events"
    LEAD_ASSIGNEES = "lead.assignees"
    STAGE_LEADS = "stage.leads"
    CONTACT_COMMUNICATIONS = "contact.communications"
    LEAD_COMMUNICATIONS = "lead.communications"
    ACCOUNT_COMMUNICATIONS = "account.communications"
    COMMUNICATION_QUEUE_ENTRIES = "communication.queue_entries"
    # Tags and comments of contacts and organizations (seed 000 Tag, Comment).
    CONTACT_TAGS = "contact.tags"
    ACCOUNT_TAGS = "account.tags"
    TAG_CONTACTS = "tag.contacts"
    TAG_ACCOUNTS = "tag.accounts"
    CONTACT_COMMENTS = "contact.comments"
    ACCOUNT_COMMENTS = "account.comments"
    CONTACT_OCCASIONS = "contact.occasions"
    ACCOUNT_OCCASIONS = "account.occasions"
    CONTACT_RELATIONS = "contact.relations"  # the contact's own relations
    ACCOUNT_RELATIONS = "account.relations"  # contacts' relations to the account
    CONTACT_DOCUMENTS = "contact.documents"
    ACCOUNT_DOCUMENTS = "account.documents"
    FRANCHISE_DEPARTMENTS = "franchise.departments"
    USER_ROLES = "user.roles"
    ROLE_USERS = "role.users"
    USER_SECURITY_GROUPS = "user.security_groups"
    SECURITY_GROUP_MEMBERS = "security_group.members"
    # The activity timeline's own sources of a lead (issue 22).
    LEAD_STAGE_CHANGES = "lead.stage_changes"
    LEAD_AUTOMATION_RUNS = "lead.automation_runs"


class Detail(StrEnum):
    """Value lists owned by a contact or account, loaded whole by owner."""

    EMAILS = "emails"
    PHONES = "phones"
    ADDRESSES = "addresses"
    THIRD_PARTY_IDS = "third_party_ids"
    PERMISSIONS = "permissions"
    COMMUNICATION_REFERENCES = "communication_references"
    URLS = "urls"


@dataclass(frozen=True, kw_only=True)
class AuditedRecord:
    id: UUID
    tenant: str
    date_created: datetime
    created_by: str | None = None
    date_modified: datetime | None = None
    modified_by: str | None = None
    is_deleted: bool = False
    date_deleted: datetime | None = None
    deleted_by: str | None = None
    version: int = 1


@dataclass(frozen=True, kw_only=True)
class CustomerRecord(AuditedRecord):
    language: str | None = None
    address: str | None = None
    city: str | None = None
    province: str | None = None
    postal_code: str | None = None
    country: str | None = None
    is_active: bool = True
    franchise_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class ContactRecord(CustomerRecord):
    kind: str = "PERSON"
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    suffix: str | None = None
    civility: str | None = None
    company_name: str | None = None
    gender: str | None = None
    position_title: str | None = None
    languages_spoken: list[str] = field(default_factory=list)
    preferred_method_of_contact: str | None = None
    opt_out: bool = False
    preferred_channel: str | None = None
    assistant_id: UUID | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)  # fieldName (or upstream id) -> value
    # Seed 003 contact_information in depth (issue 21).
    life_cycle_state: str | None = None
    category: str | None = None
    owned_by_group: str | None = None
    privacy_level: str | None = None
    notes: str | None = None
    preferred_language: str | None = None
    date_of_birth: date | None = None
    name_day: str | None = None
    id_number: str | None = None
    id_issued_by_country: str | None = None
    passport_number: str | None = None
    passport_issued_by_country: str | None = None
    social_security_number: str | None = None
    country_of_residence: str | None = None
    industry: str | None = None
    industry_sector: str | None = None
    registration_number: str | None = None
    tax_reference_number: str | None = None
    vat_registration_number: str | None = None
    vat_registration_date: date | None = None
    vat_registered_by: str | None = None
    registered_in_country: str | None = None
    annual_turnover: float | None = None
    number_of_employees: int | None = None
    profile_year: int | None = None
    established_date: date | None = None
    company_industry: str | None = None
    company_industry_sector: str | None = None
    send_direct_marketing_material: bool | None = None
    direct_marketing_changed_by: str | None = None
    direct_marketing_changed_at: datetime | None = None
    send_affiliate_marketing_material: bool | None = None
    affiliate_marketing_changed_by: str | None = None
    affiliate_marketing_changed_at: datetime | None = None
    udfs: dict[str, Any] = field(default_factory=dict)  # udf_string_1 ... udf_date_8 -> value


# The seed 003 depth attributes (issue 21), from life_cycle_state to the UDFs: the gateway's own database
# keeps them; a connector that cannot write them refuses them rather than dropping them.
_CONTACT_FIELDS = [item.name for item in fields(ContactRecord)]
CONTACT_DEPTH_FIELDS = frozenset(_CONTACT_FIELDS[_CONTACT_FIELDS.index("life_cycle_state") :])


@dataclass(frozen=True, kw_only=True)
class AccountRecord(CustomerRecord):
    name: str
    alias: str | None = None
    primary_contact_id: UUID | None = None
    preferred_channel: str | None = None
    assistant_id: UUID | None = None
    owner_id: UUID | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LeadRecord(AuditedRecord):
    subject: str
    description: str | None = None
    status: str = "OPEN"
    source: str | None = None
    category: str | None = None
    direction: str | None = None
    contact_id: UUID | None = None
    account_id: UUID | None = None
    stage_id: UUID | None = None
    franchise_id: UUID | None = None
    department_id: UUID | None = None
    due_date: datetime | None = None
    is_qualified: bool = False
    priority: int | None = None
    closed_date: datetime | None = None
    lost_date: datetime | None = None
    first_open_date: datetime | None = None
    expected_delivery_date: datetime | None = None
    offer_made_date: datetime | None = None
    sold_date: datetime | None = None
    visit_count: int = 0
    presale_visit_count: int = 0
    postsale_visit_count: int = 0
    customer_initiated: bool = False
    handling_instructions: str | None = None
    form_name: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    # The lead workflow (seed 004 LeadCreateRequest, Connection and Lead milestones): lead_workflow.py
    make_str: str | None = None
    model_str: str | None = None
    year_str: str | None = None
    trim_str: str | None = None
    utm_campaign: str | None = None
    utm_source: str | None = None
    walk_around_date: datetime | None = None
    take_over_date: datetime | None = None
    test_drive_date: datetime | None = None
    trade_in_appraisal_date: datetime | None = None
    credit_application_date: datetime | None = None
    order_date: datetime | None = None
    first_open_by_id: UUID | None = None
    walk_around_by_id: UUID | None = None
    take_over_by_id: UUID | None = None
    test_drive_by_id: UUID | None = None
    trade_in_appraisal_by_id: UUID | None = None
    credit_application_by_id: UUID | None = None
    offer_made_by_id: UUID | None = None
    order_by_id: UUID | None = None
    sold_by_id: UUID | None = None
    expected_delivery_by_id: UUID | None = None
    lost_by_id: UUID | None = None
    closed_by_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class EventRecord(AuditedRecord):
    kind: str
    title: str
    type: str | None = None
    note: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    task_done: bool = False
    notified: bool = False
    assignee_id: UUID | None = None
    contact_id: UUID | None = None
    account_id: UUID | None = None
    lead_id: UUID | None = None
    no_show: bool | None = None
    customer_confirmed: bool | None = None
    canceled: bool | None = None
    url: str | None = None
    from_automation: bool | None = None


@dataclass(frozen=True, kw_only=True)
class StageRecord(AuditedRecord):
    name: str
    position: int = 0


@dataclass(frozen=True, kw_only=True)
class UserRecord(AuditedRecord):
    username: str
    email: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    mobile_phone: str | None = None
    user_type: str = "USER"
    is_active: bool = True
    signature: str | None = None
    stop_escalation: bool = False
    round_robin_status: str | None = None
    is_third_party_provider: bool = False
    version_number: str | None = None
    version_dont_show_again: bool | None = None
    is_impersonated: bool = False


@dataclass(frozen=True, kw_only=True)
class FranchiseRecord(AuditedRecord):
    name: str
    code: str | None = None
    is_active: bool = True


@dataclass(frozen=True, kw_only=True)
class DepartmentRecord(AuditedRecord):
    name: str
    franchise_id: UUID | None = None
    pipeline_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class RoleRecord(AuditedRecord):
    name: str
    permissions: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class SecurityGroupRecord(AuditedRecord):
    name: str
    round_robin: bool | None = None
    is_active: bool = True


@dataclass(frozen=True, kw_only=True)
class UserSettingsRecord(AuditedRecord):
    user_id: UUID
    audio_input: str | None = None
    audio_output: str | None = None
    due_date_display_type: int = 0
    connection_view_type: int = 0
    language: str | None = None
    is_email_notifications_enabled: bool = True
    is_push_notifications_enabled: bool = True
    is_anytime_calling_enabled: bool = False
    management_view_settings: Any = None
    frontend_state: str | None = None


@dataclass(frozen=True, kw_only=True)
class EmailRecord:
    id: UUID
    owner_id: UUID
    position: int
    email: str
    type: str | None = None
    is_primary: bool = False
    notes: str | None = None
    item_state: str = "ACTIVE"  # seed 003 item state: ACTIVE / INACTIVE


@dataclass(frozen=True, kw_only=True)
class PhoneRecord:
    id: UUID
    owner_id: UUID
    position: int
    mode: str
    number: str
    type: str | None = None
    country_code: str | None = None
    extension: str | None = None
    is_primary: bool = False
    notes: str | None = None
    item_state: str = "ACTIVE"


@dataclass(frozen=True, kw_only=True)
class AddressRecord:
    id: UUID
    owner_id: UUID
    position: int
    type: str | None = None
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    line4: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    is_primary: bool = False
    care_of: str | None = None
    floor: int | None = None
    apartment_number: str | None = None
    municipality: str | None = None
    po_box: str | None = None
    po_box_postal_code: str | None = None
    notes: str | None = None
    item_state: str = "ACTIVE"


@dataclass(frozen=True, kw_only=True)
class ThirdPartyIdRecord:
    id: UUID
    owner_id: UUID
    system_name: str
    third_party_id: str
    metadata: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContactPermissionRecord:
    """A contact's row rule (seed 000 ContactPermission); ``gateway.backends.access`` gives its meaning."""

    id: UUID
    owner_id: UUID
    position: int
    owner_only: bool = False
    permission: str | None = None


@dataclass(frozen=True, kw_only=True)
class CommunicationCategoryRecord(AuditedRecord):
    name: str
    code: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class CommunicationTemplateRecord(AuditedRecord):
    name: str
    direction: str | None = None
    media: str | None = None
    subject: str | None = None
    content: str | None = None


@dataclass(frozen=True, kw_only=True)
class CommunicationQueueExternalSystemRecord(AuditedRecord):
    name: str
    alternative_code: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class CommunicationRecord(AuditedRecord):
    number: str
    direction: str
    media: str
    subject: str
    content: str
    contact_id: UUID
    to: str | None = None
    notes: str | None = None
    life_cycle_state: str = "COMPLETED"
    viewed: bool = False
    viewed_on: datetime | None = None
    completed_on: datetime | None = None
    category_id: UUID | None = None
    template_id: UUID | None = None
    external_system_id: UUID | None = None
    owned_by_group: str | None = None
    privacy_level: str | None = None
    udf_string_1: str | None = None
    udf_string_2: str | None = None
    udf_string_3: str | None = None
    udf_string_4: str | None = None
    udf_string_5: str | None = None
    udf_string_6: str | None = None
    udf_string_7: str | None = None
    udf_string_8: str | None = None
    udf_float_1: float | None = None
    udf_float_2: float | None = None
    udf_float_3: float | None = None
    udf_float_4: float | None = None
    udf_date_1: date | None = None
    udf_date_2: date | None = None
    udf_date_3: date | None = None
    udf_date_4: date | None = None


@dataclass(frozen=True, kw_only=True)
class CommunicationQueueEntryRecord(AuditedRecord):
    communication_id: UUID
    contact_id: UUID
    external_system_id: UUID
    media: str
    life_cycle_state: str = "PENDING"
    error_code: str | None = None
    error_description: str | None = None
    completed_on: datetime | None = None
    rejected_on: datetime | None = None
    removed_on: datetime | None = None
    claim_token: UUID | None = None
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    claim_count: int = 0


@dataclass(frozen=True, kw_only=True)
class DocumentRecord(AuditedRecord):
    """A file attached to a contact or an account (seed 000 DocumentSummary); its bytes are in storage."""

    owner_id: UUID
    owner_type: str  # the owner's entity: Contact or Account
    name: str
    extension: str | None = None
    content_type: str
    size: int
    description: str | None = None
    storage_key: str


@dataclass(frozen=True, kw_only=True)
class CommunicationReferenceRecord:
    id: UUID
    owner_id: UUID
    position: int
    target_type: str
    target_id: UUID


@dataclass(frozen=True, kw_only=True)
class TagRecord(AuditedRecord):
    """A tenant's tag (seed 000 Tag); ``value_key`` is its value folded for case-blind uniqueness."""

    value: str
    value_key: str = ""


@dataclass(frozen=True, kw_only=True)
class CommentRecord(AuditedRecord):
    """A comment on a contact or organization (seed 000 Comment); ``owner_type`` is CONTACT or ACCOUNT."""

    owner_id: UUID
    owner_type: str
    text: str
    author_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class UrlRecord:
    """Seed 000 URL of a contact or account."""

    id: UUID
    owner_id: UUID
    position: int
    address: str
    label: str | None = None
    icon: str | None = None
    type: str | None = None
    is_primary: bool = False


@dataclass(frozen=True, kw_only=True)
class OccasionRecord(AuditedRecord):
    """Seed 000 Occasion of a contact or an account."""

    date: date
    month_day: int
    contact_id: UUID | None = None
    account_id: UUID | None = None
    label: str | None = None
    recurring: bool = False
    reminder: bool = False


@dataclass(frozen=True, kw_only=True)
class ContactRelationRecord(AuditedRecord):
    """A contact's relation to another contact or to an account (seed 000 key relationships, seed 003
    relation_set)."""

    contact_id: UUID
    type: str
    related_contact_id: UUID | None = None
    related_account_id: UUID | None = None
    notes: str | None = None
    is_key: bool = False


@dataclass(frozen=True, kw_only=True)
class LeadStageChangeRecord(AuditedRecord):
    """A lead's move from one stage to another: ``date_created`` is when, ``created_by`` who."""

    lead_id: UUID
    from_stage_id: UUID | None = None
    to_stage_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class AutomationRunRecord(AuditedRecord, AutomationRunFields):
    """A row of the automations' run log (``gateway.backends.automations.AutomationRun``) read as a
    record: ``date_created`` is its start, ``actions`` the JSON text of the actions done."""

    actions: str = "[]"


@dataclass(frozen=True, kw_only=True)
class TenantRecord:
    key: str
    name: str
    vertical: str | None = None


ENTITY_RECORDS: dict[Entity, type[AuditedRecord]] = {
    Entity.CONTACT: ContactRecord,
    Entity.ACCOUNT: AccountRecord,
    Entity.LEAD: LeadRecord,
    Entity.EVENT: EventRecord,
    Entity.STAGE: StageRecord,
    Entity.USER: UserRecord,
    Entity.FRANCHISE: FranchiseRecord,
    Entity.DEPARTMENT: DepartmentRecord,
    Entity.ROLE: RoleRecord,
    Entity.SECURITY_GROUP: SecurityGroupRecord,
    Entity.USER_SETTINGS: UserSettingsRecord,
    Entity.COMMUNICATION: CommunicationRecord,
    Entity.COMMUNICATION_TEMPLATE: CommunicationTemplateRecord,
    Entity.COMMUNICATION_CATEGORY: CommunicationCategoryRecord,
    Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM: CommunicationQueueExternalSystemRecord,
    Entity.COMMUNICATION_QUEUE_ENTRY: CommunicationQueueEntryRecord,
    Entity.TAG: TagRecord,
    Entity.COMMENT: CommentRecord,
    Entity.OCCASION: OccasionRecord,
    Entity.CONTACT_RELATION: ContactRelationRecord,
    Entity.DOCUMENT: DocumentRecord,
    Entity.LEAD_STAGE_CHANGE: LeadStageChangeRecord,
    Entity.AUTOMATION_RUN: AutomationRunRecord,
}

DETAIL_RECORDS: dict[Detail, type[Any]] = {
    Detail.EMAILS: EmailRecord,
    Detail.PHONES: PhoneRecord,
    Detail.ADDRESSES: AddressRecord,
    Detail.THIRD_PARTY_IDS: ThirdPartyIdRecord,
    Detail.PERMISSIONS: ContactPermissionRecord,
    Detail.COMMUNICATION_REFERENCES: CommunicationReferenceRecord,
    Detail.URLS: UrlRecord,
}

R = TypeVar("R")
_FIELD_NAMES: dict[type[Any], frozenset[str]] = {}


def record_from_mapping(cls: type[R], mapping: Any) -> R:
    """Build a record from a row mapping, ignoring columns the record does not carry."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    return cls(**{name: mapping[name] for name in names if name in mapping})


class ColumnNotLoaded(RuntimeError):
    """A record attribute was read that its read left out (``ListQuery.columns``).

    Not an ``AttributeError``: ``getattr(record, name, default)`` must not quietly turn a column a
    field forgot to declare into a default value. Seeing it means a resolver reads a column its
    ``uses_columns`` declaration (``resolvers/common/columns.py``) does not name.
    """


class _NotLoaded:
    """The attribute of a partial record that its read did not select: reading it raises."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        raise ColumnNotLoaded(f"{type(instance).__name__}.{self.name} was not loaded")

    def __set__(self, instance: Any, value: Any) -> None:  # a data descriptor: wins over __dict__
        raise ColumnNotLoaded(f"{type(instance).__name__}.{self.name} was not loaded")


_PARTIAL_CLASSES: dict[tuple[type[Any], frozenset[str]], type[Any]] = {}


def partial_record_class(cls: type[R], omitted: frozenset[str]) -> type[R]:
    """A subclass of ``cls`` whose instances carry every field but ``omitted``, which raise
    ``ColumnNotLoaded`` when read: what a read that selected only some columns builds. Instances are
    still instances of ``cls`` (node types, ``isinstance`` checks) and are filled through their
    ``__dict__`` like whole ones (``reader._builder``)."""
    key = (cls, omitted)
    found = _PARTIAL_CLASSES.get(key)
    if found is None:
        namespace: dict[str, Any] = {name: _NotLoaded(name) for name in sorted(omitted)}
        namespace["__repr__"] = _partial_repr
        namespace["__qualname__"] = f"Partial{cls.__qualname__}"
        found = _PARTIAL_CLASSES[key] = type(f"Partial{cls.__name__}", (cls,), namespace)
    return found  # type: ignore[return-value]


def _partial_repr(record: Any) -> str:
    shown = ", ".join(f"{name}={value!r}" for name, value in record.__dict__.items())
    return f"{type(record).__name__}({shown})"
