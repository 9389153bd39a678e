"""An automation's workflow: its nodes and edges (seed 004 leaves their shape open), checked when the
definition is saved and walked when it runs.

A node is ``{id, type, data}``: ``type`` is ``trigger`` (the start, optional), ``condition`` (``data``
is a seed 004 QueryBuilderQuery: ``{query: {combinator, not, rules}}``) or an action of the registry
(``gateway.automations.actions``). An edge is ``{source, target}`` and, out of a condition,
``sourceHandle`` "true" (the default) or "false": the branch it follows. The graph has no cycles.

A run walks the nodes in an order that puts every node after its sources: a node with no incoming
edge is active; another is active when an edge from an active node leads to it (out of a condition,
only the edges of the branch its query chose).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.automations import actions, conditions
from gateway.backends.automations import TRIGGER_ENTITIES

MAX_NODES = 100
BRANCHES = ("true", "false")


class DefinitionProblem(ValueError):
    """Why a definition is refused: ``code`` INVALID, ``field`` nodes or edges."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field = code, field


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    branch: str | None  # out of a condition: "true" or "false"


@dataclass(frozen=True)
class Workflow:
    nodes: tuple[Node, ...]  # sources before targets
    edges: tuple[Edge, ...]


def workflow(
    trigger: str, nodes: list[Any], edges: list[Any], custom: conditions.Custom | None = None
) -> Workflow:
    """The checked workflow of a definition; ``DefinitionProblem`` names what is wrong. ``custom`` are
    the custom fields of the trigger's entity that conditions may name."""
    parsed = [_node(item, trigger, custom) for item in nodes]
    if len(parsed) > MAX_NODES:
        raise DefinitionProblem("INVALID", "nodes", f"At most {MAX_NODES} nodes.")
    by_id = {node.id: node for node in parsed}
    if len(by_id) != len(parsed):
        raise DefinitionProblem("INVALID", "nodes", "Node ids must be unique.")
    links = tuple(_edge(item, by_id) for item in edges)
    return Workflow(_sorted(parsed, links), links)


def uses_custom_fields(nodes: list[Any]) -> bool:
    """Whether a condition node names a custom field (then its definitions are needed to check it)."""
    return any(
        isinstance(item, dict)
        and item.get("type") == "condition"
        and isinstance(item.get("data"), dict)
        and conditions.uses_custom_fields(item["data"].get("query"))
        for item in nodes
    )


def _node(item: Any, trigger: str, custom: conditions.Custom | None) -> Node:
    if not isinstance(item, dict):
        raise DefinitionProblem("INVALID", "nodes", "Every node is an object: {id, type, data}.")
    node_id, kind, data = item.get("id"), item.get("type"), item.get("data", {})
    if not isinstance(node_id, str) or not node_id.strip() or len(node_id) > 100:
        raise DefinitionProblem("INVALID", "nodes", "Every node needs an id: text of 1 to 100 characters.")
    if not isinstance(data, dict) or not isinstance(kind, str):
        raise DefinitionProblem("INVALID", "nodes", f"Node {node_id}: a type (text) and data (an object).")
    if kind == "condition":
        try:
            conditions.check(data.get("query"), TRIGGER_ENTITIES[trigger], custom)
        except conditions.ConditionProblem as wrong:
            raise DefinitionProblem("INVALID", "nodes", f"Node {node_id}: {wrong}") from None
    elif kind in actions.ACTIONS:
        problem = actions.ACTIONS[kind].check(data)
        if problem is not None:
            raise DefinitionProblem("INVALID", "nodes", f"Node {node_id} ({kind}): {problem}")
    elif kind != "trigger":
        known = ", ".join(["trigger", "condition", *actions.ACTIONS])
        raise DefinitionProblem("INVALID", "nodes", f"Node {node_id}: unknown type; one of {known}.")
    return Node(node_id, kind, data)


def _edge(item: Any, nodes: dict[str, Node]) -> Edge:
    if not isinstance(item, dict):
        raise DefinitionProblem("INVALID", "edges", "Every edge is an object: {source, target}.")
    source, target = item.get("source"), item.get("target")
    if (
        not isinstance(source, str)
        or not isinstance(target, str)
        or source not in nodes
        or target not in nodes
    ):
        raise DefinitionProblem("INVALID", "edges", "Every edge joins two nodes: source and target ids.")
    branch = item.get("sourceHandle")
    if nodes[source].type != "condition":
        return Edge(source, target, None)
    if branch is not None and branch not in BRANCHES:
        raise DefinitionProblem(
            "INVALID", "edges", 'An edge out of a condition has sourceHandle "true" or "false".'
        )
    return Edge(source, target, branch or "true")


def _sorted(nodes: list[Node], edges: tuple[Edge, ...]) -> tuple[Node, ...]:
    """Sources before targets (Kahn's algorithm, keeping the given order among equals); a cycle is refused."""
    waiting = {node.id: sum(1 for edge in edges if edge.target == node.id) for node in nodes}
    ordered: list[Node] = []
    ready = [node for node in nodes if waiting[node.id] == 0]
    while ready:
        node = ready.pop(0)
        ordered.append(node)
        for edge in edges:
            if edge.source == node.id:
                waiting[edge.target] -= 1
                if waiting[edge.target] == 0:
                    ready.append(next(n for n in nodes if n.id == edge.target))
    if len(ordered) != len(nodes):
        raise DefinitionProblem("INVALID", "edges", "The edges form a cycle.")
    return tuple(ordered)
