"""Row rules: which contacts a caller may see (seed 000 ContactPermission).

A contact carries a list of permission entries (``Contact.permissions``). It is visible to a caller when

1. the caller is an administrator (holds ``CRM_ADMIN``, directly or through ``CRM_ALL``), or
2. the contact has no entries ("if the permission list is empty, then all users have access"), or
3. it has an ``ownerOnly`` entry and the caller created it (``contacts.created_by`` is the caller's
   subject): the contact is private to its creator, and ``permission`` values are not used, or
4. it has no ``ownerOnly`` entry and the caller holds at least one of the listed permissions,
   directly or through its module's ``*_ALL``.

Reading the seed strictly, the creator of a contact restricted by a permission they lack does not see it.

An invisible contact does not exist for the caller: lists, counts, search, ``node``/``nodes``, nested
lists and single references (``Lead.contact``), ``contactByPhone``, references in mutation inputs and
every write (update, delete, restore, account membership) treat it as unknown. Backends enforce this
in the same statement that reads or writes the contact; ``RowAccess.sees`` states the same rule for
code that must judge rules that are not stored yet (a caller may not lock themselves out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gateway.permissions import CRM_ADMIN, effective, grants

if TYPE_CHECKING:
    from gateway.auth import Principal


@dataclass(frozen=True)
class ContactRule:
    """One ContactPermission entry: private to the creator, or visible to holders of ``permission``."""

    owner_only: bool
    permission: str | None = None


@dataclass(frozen=True)
class RowAccess:
    """What a backend needs to know about the caller to apply the row rules."""

    subject: str
    admin: bool
    permissions: frozenset[str] = field(default_factory=frozenset)  # effective: ``*_ALL`` expanded

    @classmethod
    def for_caller(cls, subject: str, permissions: Iterable[str]) -> RowAccess:
        held = frozenset(permissions)
        return cls(subject=subject, admin=grants(held, CRM_ADMIN), permissions=effective(held))

    @classmethod
    def for_principal(cls, principal: Principal) -> RowAccess:
        return cls.for_caller(principal.subject, principal.permissions)

    @classmethod
    def unrestricted(cls, subject: str) -> RowAccess:
        """For trusted code acting on its own (fixtures, maintenance), never for a request."""
        return cls(subject=subject, admin=True)

    def sees(self, created_by: str | None, rules: Iterable[ContactRule]) -> bool:
        """Whether the caller sees a contact created by ``created_by`` that has these rules."""
        rules = list(rules)
        if self.admin or not rules:
            return True
        if any(rule.owner_only for rule in rules):
            return created_by == self.subject
        return any(rule.permission in self.permissions for rule in rules)
