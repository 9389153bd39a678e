"""Account loaders."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class AccountByIdLoader(EntityByIdLoader):
    entity = Entity.ACCOUNT


class AccountsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_ACCOUNTS


class AccountCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_ACCOUNTS
