"""Mutations of one record besides create, update, delete and restore: ``taskComplete``,
``leadMoveToStage``, ... An area declares one as a method of its ``CrudMutations`` decorated with
``@action``; the factory makes the field, with ``id`` first, the action's own arguments, then
``expectedVersion``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from resolvers.common.crud.texts import Texts

F = TypeVar("F", bound=Callable[..., Any])
ACTION_ATTRIBUTE = "__crud_action__"


@dataclass(frozen=True)
class Action:
    name: str  # the verb: the mutation of a Task named "Complete" is ``taskComplete``
    permission: str
    texts: Texts  # the mutation's description, and its payload's unless ``payload`` is given
    arguments: tuple[inspect.Parameter, ...] = ()
    payload: type | None = None  # a payload the area shares between mutations


def action(
    name: str,
    permission: str,
    texts: Texts,
    arguments: Sequence[inspect.Parameter] = (),
    payload: type | None = None,
) -> Callable[[F], F]:
    """Declare ``method(self, target: Target, **arguments) -> UUID`` a mutation of the area."""

    def declare(method: F) -> F:
        setattr(method, ACTION_ATTRIBUTE, Action(name, permission, texts, tuple(arguments), payload))
        return method

    return declare


def declared_actions(cls: type) -> dict[str, Action]:
    """The actions of a class and its bases, by method name, in the order they were defined."""
    found: dict[str, Action] = {}
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            declared = getattr(member, ACTION_ATTRIBUTE, None)
            if isinstance(declared, Action):
                found[name] = declared
    return found
