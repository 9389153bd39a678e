"""Contact profile photos (seed 003 contact_information/profile_photo view L3709, add L3822, remove L3948)
on the SQL backend: multipart uploads into the document storage, the checked download route, limits.

Like ``test_documents.py`` (whose served gateway and storage fixtures these tests share), every test runs
against a real gateway served by uvicorn, once per database and once per storage (a local directory
and S3-compatible object storage through moto's server). After each refused upload the test checks
that no row, no stored file and no temporary file is left.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from conftest import token_for
from factories import Factory, gid
from gateway.backends.sql import tables as t
from gateway.settings import Settings
from test_documents import (  # noqa: F401 - fixtures: the served gateway and its storage
    MAX_BYTES,
    Store,
    admin,
    base,
    bearer,
    broken_storage,
    doc_settings,
    gateway_of,
    http,
    s3_endpoint,
    stored_files,
    temp_dir,
)

ADD = """
mutation($input: ContactProfilePhotoAddInput!, $file: Upload!) {
  contactProfilePhotoAdd(input: $input, file: $file) {
    contact { id profilePhoto { fileName contentType size downloadPath } }
    errors { field code seedCode message }
  }
}
"""
REMOVE = """
mutation($input: ContactProfilePhotoRemoveInput!) {
  contactProfilePhotoRemove(input: $input) {
    contact { id profilePhoto { fileName } }
    errors { field code seedCode }
  }
}
"""
VIEW = "query($id: ID!) { contact(id: $id) { profilePhoto { fileName contentType size downloadPath } } }"
NODE = "query($id: ID!) { node(id: $id) { ... on Contact { profilePhoto { fileName } } } }"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + b"jpeg bytes" * 100


async def photo_rows(engine: Any, tenant: str) -> int:
    table = t.contact_profile_photos
    async with engine.connect() as connection:
        statement = sa.select(sa.func.count()).select_from(table).where(table.c.tenant == tenant)
        return int((await connection.execute(statement)).scalar_one())


class PhotoStore(Store):
    async def rows(self) -> int:
        return await photo_rows(self.engine, self.tenant)


@dataclass
class World:
    """The served gateway (``http``), what it keeps (``store``), an administrator's token, the data."""

    http: httpx.AsyncClient
    store: PhotoStore
    admin: str
    factory: Factory


@pytest.fixture
def world(http: httpx.AsyncClient, store: PhotoStore, admin: str, factory: Factory) -> World:  # noqa: F811
    return World(http, store, admin, factory)


@pytest.fixture
async def store(doc_settings: Settings, engine: Any, tenant: str, temp_dir: Any) -> PhotoStore:  # noqa: F811
    return PhotoStore(doc_settings, engine, tenant, temp_dir, await stored_files(doc_settings))


async def add_photo(
    http: httpx.AsyncClient,  # noqa: F811
    token: str,
    contact_id: str,
    content: bytes,
    name: str = "me.png",
    content_type: str = "image/png",
) -> dict[str, Any]:
    operations = {"query": ADD, "variables": {"input": {"contactId": contact_id}, "file": None}}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, content_type)},
        headers=bearer(token),
    )
    return response.json()  # type: ignore[no-any-return]


async def graphql(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:  # noqa: F811
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(token)
    )
    return response.json()  # type: ignore[no-any-return]


async def a_contact(factory: Factory, *, private: bool = False) -> str:
    contact_id = factory.contact("Ada", "Lovelace")
    if private:  # created by "factory": private to it, so hidden from other non-admin callers
        factory.contact_permission(contact_id, owner_only=True)
    await factory.save()
    return gid("Contact", contact_id)


def errors_of(body: dict[str, Any], field: str) -> list[tuple[Any, ...]]:
    result = body["data"][field]
    assert result["contact"] is None, result
    return [(e["field"], e["code"], e["seedCode"]) for e in result["errors"]]


async def test_a_photo_is_added_viewed_downloaded_replaced_and_removed(
    world: World,
) -> None:
    contact = await a_contact(world.factory)
    assert (await graphql(world.http, world.admin, VIEW, id=contact))["data"] == {
        "contact": {"profilePhoto": None}
    }

    added = (await add_photo(world.http, world.admin, contact, PNG))["data"]["contactProfilePhotoAdd"]
    path = f"/contacts/{contact}/profile-photo"
    photo = {"fileName": "me.png", "contentType": "image/png", "size": len(PNG), "downloadPath": path}
    assert added == {"contact": {"id": contact, "profilePhoto": photo}, "errors": []}
    assert (await graphql(world.http, world.admin, VIEW, id=contact))["data"] == {
        "contact": {"profilePhoto": photo}
    }
    by_node = await graphql(world.http, world.admin, NODE, id=contact)
    assert by_node["data"] == {"node": {"profilePhoto": {"fileName": "me.png"}}}
    download = await world.http.get(path, headers=bearer(world.admin))
    assert (download.status_code, download.content) == (200, PNG)
    assert download.headers["content-type"] == "image/png"
    assert download.headers["cache-control"] == "private, no-store"
    assert len(await world.store.files()) == len(world.store.before) + 1

    replaced = await add_photo(
        world.http, world.admin, contact, JPEG, name="new.jpg", content_type="image/jpeg"
    )
    assert replaced["data"]["contactProfilePhotoAdd"]["contact"]["profilePhoto"]["fileName"] == "new.jpg"
    assert (await world.http.get(path, headers=bearer(world.admin))).content == JPEG
    assert len(await world.store.files()) == len(world.store.before) + 1  # the replaced photo's file is gone
    assert await world.store.rows() == 1

    removed = await graphql(world.http, world.admin, REMOVE, input={"contactId": contact})
    assert removed["data"]["contactProfilePhotoRemove"] == {
        "contact": {"id": contact, "profilePhoto": None},
        "errors": [],
    }
    assert (await world.http.get(path, headers=bearer(world.admin))).status_code == 404
    again = await graphql(world.http, world.admin, REMOVE, input={"contactId": contact})
    assert again["data"]["contactProfilePhotoRemove"]["errors"] == []  # nothing to remove: no change
    await world.store.assert_nothing_kept()


@dataclass(frozen=True)
class Refused:
    """A file ``contactProfilePhotoAdd`` refuses, and the code and seed code it answers."""

    name: str
    content_type: str
    size: int | None  # None: one byte past the limit
    code: str
    seed_code: str | None = "CRM1106"

    def content(self, limit: int) -> bytes:
        return b"x" * (limit + 1 if self.size is None else self.size)


REFUSED = [
    Refused("notes.txt", "text/plain", 10, "INVALID"),  # a document type, but not an image
    Refused("cv.pdf", "application/pdf", 10, "INVALID"),
    Refused("logo.svg", "image/svg+xml", 10, "INVALID"),  # may carry scripts
    Refused("setup.exe", "application/x-msdownload", 10, "INVALID"),
    Refused("empty.png", "image/png", 0, "REQUIRED", "CRM1109"),
    Refused("big.png", "image/png", None, "TOO_LARGE", None),
]


@pytest.mark.parametrize("refused", REFUSED, ids=lambda refused: refused.name)
async def test_a_refused_file_answers_its_code_and_keeps_nothing(world: World, refused: Refused) -> None:
    contact = await a_contact(world.factory)
    content = refused.content(MAX_BYTES)
    body = await add_photo(world.http, world.admin, contact, content, refused.name, refused.content_type)
    assert errors_of(body, "contactProfilePhotoAdd") == [(["file"], refused.code, refused.seed_code)]
    await world.store.assert_nothing_kept()


async def test_a_missing_file_is_refused_with_crm1109(
    world: World,
) -> None:
    contact = await a_contact(world.factory)
    body = await graphql(world.http, world.admin, ADD, input={"contactId": contact}, file="not a file")
    assert errors_of(body, "contactProfilePhotoAdd") == [(["file"], "REQUIRED", "CRM1109")]
    await world.store.assert_nothing_kept()


async def test_unknown_foreign_and_hidden_contacts_are_not_found(
    world: World,
) -> None:
    foreign = Factory(world.factory.engine, f"o{uuid.uuid4().hex[:12]}")
    foreign_contact = foreign.contact("Other", "Tenant")
    await foreign.save()
    hidden = await a_contact(world.factory, private=True)
    writer = token_for(
        world.store.settings, world.store.tenant, subject="writer", permissions=["CUST_READ", "CUST_WRITE"]
    )
    cases = [
        (world.admin, gid("Contact", uuid.uuid4())),
        (world.admin, gid("Contact", foreign_contact)),
        (writer, hidden),  # hidden by the contact's row rules
    ]
    for token, contact in cases:
        added = await add_photo(world.http, token, contact, PNG)
        assert errors_of(added, "contactProfilePhotoAdd") == [
            (["input", "contactId"], "NOT_FOUND", "CUST1102")
        ]
        removed = await graphql(world.http, token, REMOVE, input={"contactId": contact})
        assert errors_of(removed, "contactProfilePhotoRemove") == [
            (["input", "contactId"], "NOT_FOUND", "CUST1102")
        ]
    not_a_contact = await add_photo(world.http, world.admin, gid("Account", uuid.uuid4()), PNG)
    assert not_a_contact["errors"][0]["extensions"]["code"] == "INVALID_ID"
    await world.store.assert_nothing_kept()


async def test_changing_a_photo_needs_cust_write(
    http: httpx.AsyncClient,  # noqa: F811
    store: PhotoStore,
    factory: Factory,
) -> None:
    contact = await a_contact(factory)
    reader = token_for(store.settings, store.tenant, subject="reader", permissions=["CUST_READ"])
    for body, field in (
        (await add_photo(http, reader, contact, PNG), "contactProfilePhotoAdd"),
        (await graphql(http, reader, REMOVE, input={"contactId": contact}), "contactProfilePhotoRemove"),
    ):
        assert body["data"] == {field: None}
        refused = body["errors"][0]["extensions"]
        assert (refused["code"], refused["permission"]) == ("FORBIDDEN", "CUST_WRITE")
    await store.assert_nothing_kept()


async def test_download_checks_authentication_permission_tenant_and_row_rules(
    world: World,
) -> None:
    public, private = await a_contact(world.factory), await a_contact(world.factory, private=True)
    for contact in (public, private):
        assert (await add_photo(world.http, world.admin, contact, PNG))["data"]["contactProfilePhotoAdd"][
            "errors"
        ] == []
    settings, tenant = world.store.settings, world.store.tenant
    cases = [
        (["CUST_READ"], public, tenant, 200),
        (["CRM_DOC_VIEW"], public, tenant, 403),  # no CUST_READ
        (["CUST_READ"], private, tenant, 404),  # hidden by the contact's row rules
        (["CRM_ALL", "CUST_ALL"], private, tenant, 200),  # an administrator sees it
        (["CRM_ALL", "CUST_ALL"], public, f"o{uuid.uuid4().hex[:12]}", 404),  # another tenant
    ]
    for permissions, contact, of_tenant, expected in cases:
        token = token_for(settings, of_tenant, subject="reader", permissions=permissions)
        response = await world.http.get(f"/contacts/{contact}/profile-photo", headers=bearer(token))
        assert response.status_code == expected, (permissions, contact, response.text)
        if expected != 200:
            assert PNG not in response.content
            assert response.json()["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND")
    hidden = token_for(settings, tenant, subject="reader", permissions=["CUST_READ"])
    assert (await graphql(world.http, hidden, VIEW, id=private))["data"] == {"contact": None}
    assert (await world.http.get(f"/contacts/{public}/profile-photo")).status_code == 401
    for garbage in ("nope", gid("Account", uuid.uuid4()), gid("Contact", uuid.uuid4())):
        assert (
            await world.http.get(f"/contacts/{garbage}/profile-photo", headers=bearer(world.admin))
        ).status_code == 404
    deleting = await world.http.delete(f"/contacts/{public}/profile-photo", headers=bearer(world.admin))
    assert (deleting.status_code, deleting.headers["allow"]) == (405, "GET, HEAD")


PAGE = "query($n: Int!) { contacts(first: $n) { nodes { id profilePhoto { fileName size } } } }"


async def test_photos_of_a_page_cost_one_statement_whatever_its_size(
    world: World,
) -> None:
    contacts = [world.factory.contact(f"P{i:02d}", "Page") for i in range(20)]
    await world.factory.save()
    for contact in contacts[::2]:
        await add_photo(world.http, world.admin, gid("Contact", contact), PNG)

    async def cost(size: int) -> tuple[int, int]:
        response = await world.http.post(
            "/graphql", json={"query": PAGE, "variables": {"n": size}}, headers=bearer(world.admin)
        )
        body = response.json()
        nodes = body["data"]["contacts"]["nodes"]
        with_photo = sum(node["profilePhoto"] is not None for node in nodes)
        return body["extensions"]["cost"]["sqlStatements"], with_photo

    small, large = await cost(2), await cost(20)
    plain = {"query": PAGE.replace(" profilePhoto { fileName size }", ""), "variables": {"n": 20}}
    without = (await world.http.post("/graphql", json=plain, headers=bearer(world.admin))).json()
    without = without["extensions"]["cost"]["sqlStatements"]
    assert (small[0], large[1]) == (large[0], 10)
    assert large[0] == without + 1  # one statement for every photo of the page


async def test_a_failing_store_answers_storage_unavailable_and_keeps_no_photo(
    world: World, tmp_path: Path
) -> None:
    broken = broken_storage(world.store.settings, tmp_path)
    contact = await a_contact(world.factory)
    async with gateway_of(broken) as broken_gateway:
        body = await add_photo(broken_gateway, token_for(broken, world.store.tenant), contact, PNG)
    assert body["data"] == {"contactProfilePhotoAdd": None}
    extensions = body["errors"][0]["extensions"]
    assert (extensions["code"], extensions["seedCode"]) == ("STORAGE_UNAVAILABLE", "CRM1108")
    assert await world.store.rows() == 0
