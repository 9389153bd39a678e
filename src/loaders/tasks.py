"""Event (task, appointment, follow-up) loaders."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class EventByIdLoader(EntityByIdLoader):
    entity = Entity.EVENT


class EventsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_EVENTS


class EventCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_EVENTS


class EventsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_EVENTS


class EventCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_EVENTS


class EventsByLeadLoader(ChildrenByParentLoader):
    relation = Relation.LEAD_EVENTS


class EventCountByLeadLoader(ChildCountByParentLoader):
    relation = Relation.LEAD_EVENTS
