"""The direct resolvers of ``resolvers.common.fastpath`` keep every permission check.

The behaviour of each gated field with and without its permission is in ``test_permissions.py``;
these check the structure that makes it hold for fields added later too.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType

from conftest import Client
from factories import Factory, gid
from resolvers.common.permissions import declared_permission
from resolvers.schema import schema


def _fields() -> list[tuple[str, str, Any, Any]]:
    found = []
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType) and not graphql_type.name.startswith("__"):
            for name, field in graphql_type.fields.items():
                definition = (field.extensions or {}).get("strawberry-definition")
                found.append((graphql_type.name, name, field.resolve, definition))
    return found


def test_a_gated_field_keeps_strawberrys_resolver_or_gets_the_checking_one() -> None:
    gated = [(t, n, r) for t, n, r, d in _fields() if d is not None and declared_permission(d)]
    assert len(gated) > 50
    for type_name, name, resolve in gated:
        kind = resolve.__qualname__.split(".")[0]
        assert kind in ("GraphQLCoreConverter", "_gated"), (type_name, name, kind)


def test_the_hot_fields_get_direct_resolvers() -> None:
    kinds = {(t, n): r.__qualname__.split(".")[0] for t, n, r, _ in _fields() if r is not None}
    assert kinds[("Contact", "id")] == "_global_id"
    assert kinds[("Contact", "firstName")] == "_attribute"
    assert kinds[("Contact", "displayName")] == "_method"
    assert kinds[("Lead", "stage")] == "_gated"
    assert kinds[("Contact", "leads")] == "_gated"
    assert kinds[("Query", "contacts")] == "_gated"


async def test_direct_resolvers_answer_like_strawberrys(client: Client, factory: Factory) -> None:
    stage = factory.stage("Won", 3)
    contact = factory.contact("Ada", "Lovelace", emails=["ada@example.com"])
    factory.lead("Engine", contact_id=contact, stage_id=stage, status="WON")
    await factory.save()
    body = await client.execute(
        """{ contacts(first: 5, filter: {lastName: {eq: "Lovelace"}}) { edges { node {
            id displayName emails { email isPrimary }
            leads(first: 2) { edges { node { subject status stage { id name } } } }
        } } } }"""
    )
    node = body["data"]["contacts"]["edges"][0]["node"]
    assert node["id"] == gid("Contact", contact)
    assert node["displayName"] == "Ada Lovelace"
    assert node["emails"] == [{"email": "ada@example.com", "isPrimary": True}]
    lead = node["leads"]["edges"][0]["node"]
    assert lead == {"subject": "Engine", "status": "WON", "stage": {"id": gid("Stage", stage), "name": "Won"}}
