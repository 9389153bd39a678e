"""Contact loaders."""

from gateway.backends.records import Detail, Entity, Relation
from loaders.base import (
    ChildCountByParentLoader,
    ChildrenByParentLoader,
    DetailsByOwnerLoader,
    EntityByIdLoader,
)


class ContactByIdLoader(EntityByIdLoader):
    entity = Entity.CONTACT


class ContactsByAccountLoader(ChildrenByParentLoader):
    relation = Relation.ACCOUNT_CONTACTS


class ContactCountByAccountLoader(ChildCountByParentLoader):
    relation = Relation.ACCOUNT_CONTACTS


class EmailsByOwnerLoader(DetailsByOwnerLoader):
    detail = Detail.EMAILS


class PhonesByOwnerLoader(DetailsByOwnerLoader):
    detail = Detail.PHONES


class AddressesByOwnerLoader(DetailsByOwnerLoader):
    detail = Detail.ADDRESSES


class ThirdPartyIdsByOwnerLoader(DetailsByOwnerLoader):
    detail = Detail.THIRD_PARTY_IDS


class PermissionsByContactLoader(DetailsByOwnerLoader):
    detail = Detail.PERMISSIONS
