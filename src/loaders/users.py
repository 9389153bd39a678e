"""User, franchise, department, role, security group and user settings loaders."""

from gateway.backends.records import Entity, Relation
from loaders.base import ChildCountByParentLoader, ChildrenByParentLoader, EntityByIdLoader


class UserByIdLoader(EntityByIdLoader):
    entity = Entity.USER


class FranchiseByIdLoader(EntityByIdLoader):
    entity = Entity.FRANCHISE


class DepartmentByIdLoader(EntityByIdLoader):
    entity = Entity.DEPARTMENT


class RoleByIdLoader(EntityByIdLoader):
    entity = Entity.ROLE


class SecurityGroupByIdLoader(EntityByIdLoader):
    entity = Entity.SECURITY_GROUP


class UserSettingsByIdLoader(EntityByIdLoader):
    entity = Entity.USER_SETTINGS


class AssigneesByLeadLoader(ChildrenByParentLoader):
    relation = Relation.LEAD_ASSIGNEES


class AssigneeCountByLeadLoader(ChildCountByParentLoader):
    relation = Relation.LEAD_ASSIGNEES


class DepartmentsByFranchiseLoader(ChildrenByParentLoader):
    relation = Relation.FRANCHISE_DEPARTMENTS


class DepartmentCountByFranchiseLoader(ChildCountByParentLoader):
    relation = Relation.FRANCHISE_DEPARTMENTS


class RolesByUserLoader(ChildrenByParentLoader):
    relation = Relation.USER_ROLES


class RoleCountByUserLoader(ChildCountByParentLoader):
    relation = Relation.USER_ROLES


class UsersByRoleLoader(ChildrenByParentLoader):
    relation = Relation.ROLE_USERS


class UserCountByRoleLoader(ChildCountByParentLoader):
    relation = Relation.ROLE_USERS


class SecurityGroupsByUserLoader(ChildrenByParentLoader):
    relation = Relation.USER_SECURITY_GROUPS


class SecurityGroupCountByUserLoader(ChildCountByParentLoader):
    relation = Relation.USER_SECURITY_GROUPS


class MembersBySecurityGroupLoader(ChildrenByParentLoader):
    relation = Relation.SECURITY_GROUP_MEMBERS


class MemberCountBySecurityGroupLoader(ChildCountByParentLoader):
    relation = Relation.SECURITY_GROUP_MEMBERS
