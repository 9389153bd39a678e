"""Tag and comment loaders (seed 000 Tag, Comment)."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class TagByIdLoader(EntityByIdLoader):
    entity = Entity.TAG


class TagsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_TAGS


class TagCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_TAGS


class TagsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_TAGS


class TagCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_TAGS


class ContactsByTagLoader(ChildrenByParentLoader):
    relation = Relation.TAG_CONTACTS


class ContactCountByTagLoader(ChildCountByParentLoader):
    relation = Relation.TAG_CONTACTS


class AccountsByTagLoader(ChildrenByParentLoader):
    relation = Relation.TAG_ACCOUNTS


class AccountCountByTagLoader(ChildCountByParentLoader):
    relation = Relation.TAG_ACCOUNTS


class CommentByIdLoader(EntityByIdLoader):
    entity = Entity.COMMENT


class CommentsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_COMMENTS


class CommentCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_COMMENTS


class CommentsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_COMMENTS


class CommentCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_COMMENTS
