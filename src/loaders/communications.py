"""Communication, template, category, external system and queue-entry loaders."""

from gateway.backends.records import Detail, Entity, Relation
from loaders.base import (
    ChildCountByParentLoader,
    ChildrenByParentLoader,
    DetailsByOwnerLoader,
    EntityByIdLoader,
)


class CommunicationByIdLoader(EntityByIdLoader):
    entity = Entity.COMMUNICATION


class CommunicationTemplateByIdLoader(EntityByIdLoader):
    entity = Entity.COMMUNICATION_TEMPLATE


class CommunicationCategoryByIdLoader(EntityByIdLoader):
    entity = Entity.COMMUNICATION_CATEGORY


class CommunicationQueueExternalSystemByIdLoader(EntityByIdLoader):
    entity = Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM


class CommunicationQueueEntryByIdLoader(EntityByIdLoader):
    entity = Entity.COMMUNICATION_QUEUE_ENTRY


class CommunicationReferencesByCommunicationLoader(DetailsByOwnerLoader):
    detail = Detail.COMMUNICATION_REFERENCES


class CommunicationsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_COMMUNICATIONS


class CommunicationCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_COMMUNICATIONS


class CommunicationsByLeadLoader(ChildrenByParentLoader):
    relation = Relation.LEAD_COMMUNICATIONS


class CommunicationCountByLeadLoader(ChildCountByParentLoader):
    relation = Relation.LEAD_COMMUNICATIONS


class CommunicationsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_COMMUNICATIONS


class CommunicationCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_COMMUNICATIONS


class QueueEntriesByCommunicationLoader(ChildrenByParentLoader):
    relation = Relation.COMMUNICATION_QUEUE_ENTRIES


class QueueEntryCountByCommunicationLoader(ChildCountByParentLoader):
    relation = Relation.COMMUNICATION_QUEUE_ENTRIES
