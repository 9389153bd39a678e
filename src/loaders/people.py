"""Loaders of the seed 000 people model: URLs, occasions and contact relations."""

from gateway.backends.records import Detail, Entity, Relation
from loaders.base import (
    ChildCountByParentLoader,
    ChildrenByParentLoader,
    DetailsByOwnerLoader,
    EntityByIdLoader,
)


class UrlsByOwnerLoader(DetailsByOwnerLoader):
    detail = Detail.URLS


class OccasionByIdLoader(EntityByIdLoader):
    entity = Entity.OCCASION


class OccasionsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_OCCASIONS


class OccasionCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_OCCASIONS


class OccasionsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_OCCASIONS


class OccasionCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_OCCASIONS


class ContactRelationByIdLoader(EntityByIdLoader):
    entity = Entity.CONTACT_RELATION


class RelationsByContactLoader(ChildrenByParentLoader):
    relation = Relation.CONTACT_RELATIONS


class RelationCountByContactLoader(ChildCountByParentLoader):
    relation = Relation.CONTACT_RELATIONS


class RelationsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_RELATIONS


class RelationCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_RELATIONS
