"""Where each entity, relation and detail list lives in the SQL schema."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.sql import tables as t

ENTITY_TABLES: dict[Entity, sa.Table] = {
    Entity.CONTACT: t.contacts,
    Entity.ACCOUNT: t.accounts,
    Entity.LEAD: t.leads,
    Entity.EVENT: t.events,
    Entity.STAGE: t.stages,
    Entity.USER: t.users,
    Entity.FRANCHISE: t.franchises,
    Entity.DEPARTMENT: t.departments,
    Entity.ROLE: t.roles,
    Entity.SECURITY_GROUP: t.security_groups,
    Entity.USER_SETTINGS: t.user_settings,
    Entity.COMMUNICATION: t.communications,
    Entity.COMMUNICATION_TEMPLATE: t.communication_templates,
    Entity.COMMUNICATION_CATEGORY: t.communication_categories,
    Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM: t.communication_queue_external_systems,
    Entity.COMMUNICATION_QUEUE_ENTRY: t.communication_queue_entries,
    Entity.TAG: t.tags,
    Entity.COMMENT: t.comments,
    Entity.OCCASION: t.occasions,
    Entity.CONTACT_RELATION: t.contact_relations,
    Entity.DOCUMENT: t.documents,
    Entity.LEAD_STAGE_CHANGE: t.lead_stage_changes,
    Entity.AUTOMATION_RUN: t.automation_runs,
}

DETAIL_TABLES: dict[Detail, sa.Table] = {
    Detail.EMAILS: t.emails,
    Detail.PHONES: t.phones,
    Detail.ADDRESSES: t.addresses,
    Detail.THIRD_PARTY_IDS: t.third_party_ids,
    Detail.PERMISSIONS: t.contact_permissions,
    Detail.COMMUNICATION_REFERENCES: t.communication_references,
    Detail.URLS: t.urls,
}


@dataclass(frozen=True)
class RelationMap:
    """A parent-to-children list: either a foreign key on the child or a link table."""

    child: Entity
    parent_column: sa.Column[object]
    link: sa.Table | None = None
    child_column: sa.Column[object] | None = None


_tagged = t.tag_assignments
_roles, _members = t.user_roles, t.security_group_members

RELATIONS: dict[Relation, RelationMap] = {
    Relation.CONTACT_LEADS: RelationMap(Entity.LEAD, t.leads.c.contact_id),
    Relation.CONTACT_EVENTS: RelationMap(Entity.EVENT, t.events.c.contact_id),
    Relation.ACCOUNT_LEADS: RelationMap(Entity.LEAD, t.leads.c.account_id),
    Relation.ACCOUNT_EVENTS: RelationMap(Entity.EVENT, t.events.c.account_id),
    Relation.LEAD_EVENTS: RelationMap(Entity.EVENT, t.events.c.lead_id),
    Relation.STAGE_LEADS: RelationMap(Entity.LEAD, t.leads.c.stage_id),
    Relation.CONTACT_ACCOUNTS: RelationMap(
        Entity.ACCOUNT, t.account_contacts.c.contact_id, t.account_contacts, t.account_contacts.c.account_id
    ),
    Relation.ACCOUNT_CONTACTS: RelationMap(
        Entity.CONTACT, t.account_contacts.c.account_id, t.account_contacts, t.account_contacts.c.contact_id
    ),
    Relation.LEAD_ASSIGNEES: RelationMap(
        Entity.USER, t.lead_assignees.c.lead_id, t.lead_assignees, t.lead_assignees.c.user_id
    ),
    Relation.CONTACT_COMMUNICATIONS: RelationMap(Entity.COMMUNICATION, t.communications.c.contact_id),
    # A lead's or account's communications are those whose referring_to names it.
    Relation.LEAD_COMMUNICATIONS: RelationMap(
        Entity.COMMUNICATION,
        t.communication_references.c.target_id,
        t.communication_references,
        t.communication_references.c.owner_id,
    ),
    Relation.ACCOUNT_COMMUNICATIONS: RelationMap(
        Entity.COMMUNICATION,
        t.communication_references.c.target_id,
        t.communication_references,
        t.communication_references.c.owner_id,
    ),
    Relation.COMMUNICATION_QUEUE_ENTRIES: RelationMap(
        Entity.COMMUNICATION_QUEUE_ENTRY, t.communication_queue_entries.c.communication_id
    ),
    # Tags and comments (seed 000): a contact's and an account's through the same columns.
    **{
        relation: RelationMap(Entity.TAG, _tagged.c.owner_id, _tagged, _tagged.c.tag_id)
        for relation in (Relation.CONTACT_TAGS, Relation.ACCOUNT_TAGS)
    },
    Relation.TAG_CONTACTS: RelationMap(Entity.CONTACT, _tagged.c.tag_id, _tagged, _tagged.c.owner_id),
    Relation.TAG_ACCOUNTS: RelationMap(Entity.ACCOUNT, _tagged.c.tag_id, _tagged, _tagged.c.owner_id),
    Relation.CONTACT_COMMENTS: RelationMap(Entity.COMMENT, t.comments.c.owner_id),
    Relation.ACCOUNT_COMMENTS: RelationMap(Entity.COMMENT, t.comments.c.owner_id),
    Relation.CONTACT_OCCASIONS: RelationMap(Entity.OCCASION, t.occasions.c.contact_id),
    Relation.ACCOUNT_OCCASIONS: RelationMap(Entity.OCCASION, t.occasions.c.account_id),
    Relation.CONTACT_RELATIONS: RelationMap(Entity.CONTACT_RELATION, t.contact_relations.c.contact_id),
    Relation.ACCOUNT_RELATIONS: RelationMap(
        Entity.CONTACT_RELATION, t.contact_relations.c.related_account_id
    ),
    Relation.CONTACT_DOCUMENTS: RelationMap(Entity.DOCUMENT, t.documents.c.owner_id),
    Relation.ACCOUNT_DOCUMENTS: RelationMap(Entity.DOCUMENT, t.documents.c.owner_id),
    Relation.FRANCHISE_DEPARTMENTS: RelationMap(Entity.DEPARTMENT, t.departments.c.franchise_id),
    Relation.USER_ROLES: RelationMap(Entity.ROLE, _roles.c.user_id, _roles, _roles.c.role_id),
    Relation.ROLE_USERS: RelationMap(Entity.USER, _roles.c.role_id, _roles, _roles.c.user_id),
    Relation.USER_SECURITY_GROUPS: RelationMap(
        Entity.SECURITY_GROUP, _members.c.user_id, _members, _members.c.group_id
    ),
    Relation.SECURITY_GROUP_MEMBERS: RelationMap(
        Entity.USER, _members.c.group_id, _members, _members.c.user_id
    ),
    Relation.LEAD_STAGE_CHANGES: RelationMap(Entity.LEAD_STAGE_CHANGE, t.lead_stage_changes.c.lead_id),
    # The runs of a lead's triggers; the timeline's list scope keeps those whose record is a lead.
    Relation.LEAD_AUTOMATION_RUNS: RelationMap(Entity.AUTOMATION_RUN, t.automation_runs.c.record_id),
}

# Filter fields that are not columns of the entity's table but of a detail list it owns.
DETAIL_FILTER_FIELDS: dict[str, tuple[Detail, str]] = {
    "email": (Detail.EMAILS, "email"),
    "phone": (Detail.PHONES, "number"),
}

# Filter fields that hold when the row carries live tags: (link table, its row column, its tag column).
TAG_FILTER_FIELDS: dict[str, tuple[sa.Table, str, str]] = {"tags": (_tagged, "owner_id", "tag_id")}

# Tables whose rows are unique by a value a caller chooses (besides the tenant), with that field: two
# transactions that both found the value free cannot both insert it, and the loser is told so.
UNIQUE_VALUES: dict[str, str] = {"tags": "value", "user_settings": "user_id"}

# What still points at a row; a referenced row cannot be deleted (seed 004: a stage in use).
REFERENCES: dict[Entity, tuple[sa.Column[object], ...]] = {
    Entity.STAGE: (t.leads.c.stage_id,),
    # A franchise its departments, leads or customers name cannot be deleted; nor a department in use.
    Entity.FRANCHISE: (
        t.departments.c.franchise_id,
        t.leads.c.franchise_id,
        t.contacts.c.franchise_id,
        t.accounts.c.franchise_id,
    ),
    Entity.DEPARTMENT: (t.leads.c.department_id,),
    Entity.COMMUNICATION_CATEGORY: (t.communications.c.category_id,),
    Entity.COMMUNICATION_TEMPLATE: (t.communications.c.template_id,),
    Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM: (t.communications.c.external_system_id,),
}
