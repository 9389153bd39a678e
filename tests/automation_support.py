"""Shared steps of the automation tests: a tenant's world, automations created through the graph, and
the run log read back."""

from __future__ import annotations

from typing import Any

from conftest import Client

ERRORS = "errors { field code message }"
CREATE = f"""mutation($name: String!, $trigger: String!, $nodes: JSON, $edges: JSON) {{
  automationCreate(input: {{name: $name, automationTrigger: $trigger, nodes: $nodes, edges: $edges}}) {{
    automation {{ id name enabled }} {ERRORS} }} }}"""
RUNS = """query($automation: String, $status: AutomationRunStatus, $first: Int, $after: String) {
  automationRuns(automationId: $automation, status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { automationId automationName trigger recordId depth status reason message
            actions { node action recordId } } } }"""
MOVE = """mutation($id: ID!, $stage: ID!) {
  leadMoveToStage(id: $id, stageId: $stage) { lead { id } errors { code } } }"""
LEAD = """query($id: ID!) { node(id: $id) { ... on Lead {
  stage { id } assignees(first: 10) { nodes { id } }
  tasks(first: 20) { totalCount nodes { title taskDone } } } } }"""


def action(node_id: str, kind: str, **data: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "data": data}


def condition(node_id: str, *rules: dict[str, Any], combinator: str = "and") -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "condition",
        "data": {"query": {"combinator": combinator, "rules": list(rules)}},
    }


def edge(source: str, target: str, branch: str | None = None) -> dict[str, Any]:
    return {"source": source, "target": target} | ({"sourceHandle": branch} if branch else {})


async def create_automation(
    client: Client,
    trigger: str,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]] | None = None,
    name: str = "Follow up",
) -> dict[str, Any]:
    variables = {"name": name, "trigger": trigger, "nodes": nodes, "edges": edges or []}
    payload = (await client.execute(CREATE, variables))["data"]["automationCreate"]
    assert payload["errors"] == [], payload["errors"]
    return payload["automation"]  # type: ignore[no-any-return]


async def refused(
    client: Client, trigger: str, nodes: list[Any], edges: list[Any] | None = None
) -> list[Any]:
    variables = {"name": "Bad", "trigger": trigger, "nodes": nodes, "edges": edges or []}
    payload = (await client.execute(CREATE, variables))["data"]["automationCreate"]
    assert payload["automation"] is None
    return [(error["field"], error["code"]) for error in payload["errors"]]


async def runs(client: Client, automation: str | None = None, **variables: Any) -> dict[str, Any]:
    body = await client.execute(RUNS, {"automation": automation, "first": 50, **variables})
    return body["data"]["automationRuns"]  # type: ignore[no-any-return]


async def move(client: Client, lead: str, stage: str) -> None:
    payload = (await client.execute(MOVE, {"id": lead, "stage": stage}))["data"]["leadMoveToStage"]
    assert payload["errors"] == []


async def lead(client: Client, lead_id: str) -> dict[str, Any]:
    return (await client.execute(LEAD, {"id": lead_id}))["data"]["node"]  # type: ignore[no-any-return]


async def node(client: Client, global_id: str, fields: str) -> Any:
    return (await client.execute(f'{{ node(id: "{global_id}") {{ {fields} }} }}'))["data"]["node"]


async def set_enabled(client: Client, automation: str, enabled: bool) -> None:
    flag = "true" if enabled else "false"
    update = f"""mutation {{ automationUpdate(id: "{automation}", input: {{enabled: {flag}}})
      {{ errors {{ code }} }} }}"""
    assert (await client.execute(update))["data"]["automationUpdate"]["errors"] == []
