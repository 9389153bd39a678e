"""Document loaders: by id, and the documents of contacts and of accounts, batched per level."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class DocumentByIdLoader(EntityByIdLoader):
    entity = Entity.DOCUMENT


class DocumentsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_DOCUMENTS


class DocumentCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_DOCUMENTS


class DocumentsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_DOCUMENTS


class DocumentCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_DOCUMENTS
