"""User, franchise and department loaders."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class UserByIdLoader(EntityByIdLoader):
    entity = Entity.USER


class FranchiseByIdLoader(EntityByIdLoader):
    entity = Entity.FRANCHISE


class DepartmentByIdLoader(EntityByIdLoader):
    entity = Entity.DEPARTMENT


class AssigneesByLeadLoader(ChildrenByParentLoader):
    relation = Relation.LEAD_ASSIGNEES


class AssigneeCountByLeadLoader(ChildCountByParentLoader):
    relation = Relation.LEAD_ASSIGNEES
