"""Documents (seed 000 DocumentSummary): multipart uploads, streamed downloads, limits and removal.

Every test runs against a real gateway served by uvicorn on 127.0.0.1, once per database and once per
storage: a local directory and S3-compatible object storage (moto's server, started here). Uploads come
from httpx, curl and Apollo Client's upload link; after every refused or cancelled upload the test
checks that no row, no stored file and no temporary file is left.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import sqlalchemy as sa

from conftest import token_for
from factories import Factory, gid
from gateway.app import create_app
from gateway.backends.sql import tables as t
from gateway.settings import Settings
from gateway.storage.base import to_thread_to_the_end
from npm_support import node_with
from servers import free_port, threaded_server

MAX_BYTES = 6 * 1_048_576  # the size limit these tests configure: a 5 MB document fits
APOLLO = Path(__file__).parent / "apollo_upload"
S3_KEYS = {"documents_s3_access_key_id": "test-key-id", "documents_s3_secret_access_key": "test-secret"}
UPLOAD = """
mutation($input: DocumentUploadInput!, $file: Upload!) {
  documentUpload(input: $input, file: $file) {
    document { id name extension contentType size description ownerId downloadPath createdBy }
    errors { field code seedCode message }
  }
}
"""
DOCUMENTS_OF_CONTACT = """
query($id: ID!) { contact(id: $id) { documents { totalCount edges { node { id name size } } } } }
"""


# -- the world: storage, a served gateway ----------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["local", "s3"])
def doc_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    overrides: dict[str, Any] = {
        "documents_max_bytes": MAX_BYTES,
        "documents_dir": str(tmp_path_factory.mktemp("documents")),
    }
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"documents-{uuid.uuid4().hex[:12]}"
        s3_client(endpoint).create_bucket(Bucket=bucket)
        overrides |= {"documents_storage": "s3", "documents_s3_bucket": bucket}
        overrides |= {"documents_s3_endpoint_url": endpoint, **S3_KEYS}
    return settings.model_copy(update=overrides)


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_KEYS["documents_s3_access_key_id"],
        aws_secret_access_key=S3_KEYS["documents_s3_secret_access_key"],
    )


@pytest.fixture(scope="module")
def temp_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the served gateway's temporary files go (multipart parts past 1 MiB spool there)."""
    folder = tmp_path_factory.mktemp("spool")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tempfile, "tempdir", str(folder))
        yield folder


@pytest.fixture(scope="module")
def base(doc_settings: Settings, temp_dir: Path) -> Iterator[str]:
    with threaded_server(create_app(doc_settings)) as url:
        yield url


@pytest.fixture
async def http(base: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        yield client


@pytest.fixture
def admin(doc_settings: Settings, tenant: str) -> str:
    return token_for(doc_settings, tenant)  # CRM_ALL grants CRM_ADMIN: row rules do not bind it


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stored_files(settings: Settings) -> list[str]:
    """Every blob the storage holds, part files included."""
    if settings.documents_storage == "s3":
        client = s3_client(str(settings.documents_s3_endpoint_url))
        answer = await asyncio.to_thread(client.list_objects_v2, Bucket=settings.documents_s3_bucket)
        return [item["Key"] for item in answer.get("Contents", [])]
    root = Path(settings.documents_dir)
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()]


async def document_rows(engine: Any, tenant: str) -> int:
    async with engine.connect() as connection:
        statement = sa.select(sa.func.count()).select_from(t.documents).where(t.documents.c.tenant == tenant)
        return int((await connection.execute(statement)).scalar_one())


@dataclass
class Store:
    """What the gateway keeps for the test's tenant: stored files, rows and temporary files."""

    settings: Settings
    engine: Any
    tenant: str
    temp_dir: Path
    before: list[str]  # the stored files when the test began (tests of a module share the storage)

    async def files(self) -> list[str]:
        return await stored_files(self.settings)

    async def rows(self) -> int:
        return await document_rows(self.engine, self.tenant)

    async def assert_nothing_kept(self) -> None:
        assert await self.files() == self.before
        assert await self.rows() == 0
        assert list(self.temp_dir.iterdir()) == []


@pytest.fixture
async def store(doc_settings: Settings, engine: Any, tenant: str, temp_dir: Path) -> Store:
    return Store(doc_settings, engine, tenant, temp_dir, await stored_files(doc_settings))


async def upload(
    http: httpx.AsyncClient,
    token: str,
    owner_id: str,
    content: bytes,
    name: str = "report.pdf",
    content_type: str = "application/pdf",
) -> httpx.Response:
    operations = {
        "query": UPLOAD,
        "variables": {"input": {"ownerId": owner_id, "description": "Q3"}, "file": None},
    }
    return await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, content_type)},
        headers=bearer(token),
    )


def payload(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]["documentUpload"]  # type: ignore[no-any-return]


async def uploaded(http: httpx.AsyncClient, token: str, owner_id: str, content: bytes, **file: str) -> Any:
    result = payload(await upload(http, token, owner_id, content, **file))
    assert result["errors"] == [], result
    return result["document"]


async def a_contact(factory: Factory, **values: Any) -> str:
    contact_id = factory.contact("Ada", "Lovelace", **values)
    await factory.save()
    return gid("Contact", contact_id)


# -- uploads and downloads -------------------------------------------------------------------------------


async def test_a_5_mb_document_uploads_with_curl_and_downloads_byte_identical(
    base: str, admin: str, factory: Factory, tmp_path: Path
) -> None:
    curl = shutil.which("curl")
    assert curl is not None, "curl is part of the test machine (Debian's curl package)"
    owner = await a_contact(factory)
    original = tmp_path / "annual report.pdf"
    original.write_bytes(os.urandom(5 * 1_048_576))
    operations = {"query": UPLOAD, "variables": {"input": {"ownerId": owner}, "file": None}}
    sent = subprocess.run(
        [
            curl,
            "-sS",
            "--fail-with-body",
            f"{base}/graphql",
            "-H",
            f"Authorization: Bearer {admin}",
            "-F",
            f"operations={json.dumps(operations)}",
            "-F",
            'map={"0": ["variables.file"]}',
            "-F",
            f"0=@{original};type=application/pdf",
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    result = json.loads(sent.stdout)["data"]["documentUpload"]
    assert result["errors"] == []
    document = result["document"]
    assert (document["name"], document["extension"], document["size"]) == (
        "annual report.pdf",
        "pdf",
        5_242_880,
    )
    assert (document["ownerId"], document["createdBy"]) == (owner, "tester")

    copy, headers = tmp_path / "copy.pdf", tmp_path / "headers.txt"
    subprocess.run(
        [
            curl,
            "-sS",
            "--fail",
            f"{base}{document['downloadPath']}",
            "-H",
            f"Authorization: Bearer {admin}",
            "-o",
            str(copy),
            "-D",
            str(headers),
        ],
        check=True,
        timeout=120,
    )
    assert copy.read_bytes() == original.read_bytes()
    received = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in headers.read_text().splitlines()[1:] if line)
    }
    assert received["content-type"] == "application/pdf"
    assert received["content-length"] == "5242880"
    assert received["content-disposition"] == (
        "attachment; filename=\"annual report.pdf\"; filename*=UTF-8''annual%20report.pdf"
    )


@pytest.fixture(scope="session")
def node() -> str:
    return node_with(APOLLO, "apollo-upload-client", "Apollo Client's upload link (apollo-upload-client)")


async def test_apollo_clients_upload_link_uploads_a_document_that_downloads_byte_identical(
    node: str, base: str, http: httpx.AsyncClient, admin: str, factory: Factory, tmp_path: Path
) -> None:
    owner = await a_contact(factory)
    original = tmp_path / "contract.pdf"
    original.write_bytes(os.urandom(5 * 1_048_576 + 17))
    command = [node, "upload.mjs", f"{base}/graphql", admin, owner, str(original)]
    sent = await asyncio.to_thread(
        subprocess.run, command, cwd=APOLLO, capture_output=True, text=True, timeout=120, check=False
    )
    assert sent.returncode == 0, sent.stderr
    result = json.loads(sent.stdout)["documentUpload"]
    assert result["errors"] == []
    assert (result["document"]["name"], result["document"]["size"]) == ("contract.pdf", 5_242_897)
    download = await http.get(result["document"]["downloadPath"], headers=bearer(admin))
    assert download.status_code == 200
    assert download.content == original.read_bytes()


async def test_documents_list_under_their_contact_and_account(
    http: httpx.AsyncClient, admin: str, factory: Factory
) -> None:
    contact_id = factory.contact("Grace", "Hopper")
    account_id = factory.account("Navy", contacts=[contact_id])
    await factory.save()
    contact, account = gid("Contact", contact_id), gid("Account", account_id)
    first = await uploaded(http, admin, contact, b"%PDF first", name="a.pdf")
    await uploaded(http, admin, contact, b"second, plain", name="b.txt", content_type="text/plain")
    on_account = await uploaded(http, admin, account, b"\x89PNG", name="logo.png", content_type="image/png")
    query = """
    query($c: ID!, $a: ID!) {
      contact(id: $c) {
        documents(orderBy: [{field: NAME}]) { totalCount nodes { name contentType ownerId } }
        pdf: documents(filter: {contentType: {eq: "application/pdf"}}) { nodes { id } }
      }
      account(id: $a) { documents { totalCount nodes { id name description } } }
    }
    """
    response = await http.post(
        "/graphql", json={"query": query, "variables": {"c": contact, "a": account}}, headers=bearer(admin)
    )
    data = response.json()["data"]
    assert data["contact"]["documents"] == {
        "totalCount": 2,
        "nodes": [
            {"name": "a.pdf", "contentType": "application/pdf", "ownerId": contact},
            {"name": "b.txt", "contentType": "text/plain", "ownerId": contact},
        ],
    }
    assert data["contact"]["pdf"]["nodes"] == [{"id": first["id"]}]
    assert data["account"]["documents"] == {
        "totalCount": 1,
        "nodes": [{"id": on_account["id"], "name": "logo.png", "description": "Q3"}],
    }


# -- who may download ------------------------------------------------------------------------------------


async def test_download_checks_authentication_permission_tenant_and_row_rules(
    http: httpx.AsyncClient, doc_settings: Settings, admin: str, factory: Factory, tenant: str
) -> None:
    public_id = factory.contact("Open", "Book")
    private_id = factory.contact("Secret", "Agent")  # created by "factory": private to it
    factory.contact_permission(private_id, owner_only=True)
    account_id = factory.account("Acme")
    await factory.save()
    public = await uploaded(http, admin, gid("Contact", public_id), b"public bytes")
    private = await uploaded(http, admin, gid("Contact", private_id), b"private bytes")
    of_account = await uploaded(http, admin, gid("Account", account_id), b"account bytes")

    reader = ["CRM_DOC_VIEW", "CUST_READ", "CUST_ORGANIZATION_VIEW"]
    cases = [
        (reader, public, tenant, 200),
        (["CUST_READ"], public, tenant, 403),  # no CRM_DOC_VIEW
        (["CRM_DOC_VIEW"], public, tenant, 404),  # may not read the contact it belongs to
        (["CRM_DOC_VIEW", "CUST_READ"], of_account, tenant, 404),  # nor the account
        (reader, private, tenant, 404),  # hidden by the contact's row rules
        (["CRM_ALL", "CUST_ALL"], private, tenant, 200),  # an administrator sees it
        (["CRM_ALL", "CUST_ALL"], public, f"o{uuid.uuid4().hex[:12]}", 404),  # another tenant
    ]
    for permissions, document, of_tenant, expected in cases:
        token = token_for(doc_settings, of_tenant, subject="reader", permissions=permissions)
        response = await http.get(document["downloadPath"], headers=bearer(token))
        assert response.status_code == expected, (permissions, document["name"], response.text)
        if expected != 200:
            assert document["name"].encode() not in response.content
            assert response.json()["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND")
    anonymous = await http.get(public["downloadPath"])
    assert anonymous.status_code == 401
    deleting = await http.delete(public["downloadPath"], headers=bearer(admin))
    assert (deleting.status_code, deleting.headers["allow"]) == (405, "GET, HEAD")
    head = await http.head(public["downloadPath"], headers=bearer(admin))
    assert (head.status_code, head.headers["content-length"], head.content) == (200, "12", b"")
    for garbage in (
        "/documents/nope",
        f"/documents/{public['ownerId']}",
        f"/documents/{gid('Document', uuid.uuid4())}",
    ):
        assert (await http.get(garbage, headers=bearer(admin))).status_code == 404

    hidden = token_for(doc_settings, tenant, subject="reader", permissions=reader)
    node = await http.post(
        "/graphql",
        json={"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": private["id"]}},
        headers=bearer(hidden),
    )
    assert node.json()["data"] == {"node": None}


async def test_listing_documents_needs_crm_doc_view(
    http: httpx.AsyncClient, doc_settings: Settings, admin: str, factory: Factory, tenant: str
) -> None:
    owner = await a_contact(factory)
    await uploaded(http, admin, owner, b"bytes")
    token = token_for(doc_settings, tenant, subject="reader", permissions=["CUST_READ"])
    response = await http.post(
        "/graphql", json={"query": DOCUMENTS_OF_CONTACT, "variables": {"id": owner}}, headers=bearer(token)
    )
    body = response.json()
    assert body["data"] == {"contact": {"documents": None}}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# -- refused uploads leave nothing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "size", "code", "seed_code"),
    [
        ("setup.exe", "application/x-msdownload", 10, "INVALID", "CRM1106"),
        ("page.html", "text/html", 10, "INVALID", "CRM1106"),
        ("empty.pdf", "application/pdf", 0, "REQUIRED", "CRM1109"),
        ("big.pdf", "application/pdf", MAX_BYTES + 1, "TOO_LARGE", None),
    ],
)
async def test_a_refused_file_answers_its_code_and_keeps_nothing(
    http: httpx.AsyncClient,
    store: Store,
    admin: str,
    factory: Factory,
    name: str,
    content_type: str,
    size: int,
    code: str,
    seed_code: str | None,
) -> None:
    owner = await a_contact(factory)
    result = payload(await upload(http, admin, owner, b"x" * size, name=name, content_type=content_type))
    assert result["document"] is None
    assert [(e["field"], e["code"], e["seedCode"]) for e in result["errors"]] == [(["file"], code, seed_code)]
    await store.assert_nothing_kept()


async def test_unknown_and_foreign_owners_are_not_found(
    http: httpx.AsyncClient, store: Store, admin: str, factory: Factory
) -> None:
    foreign = Factory(factory.engine, f"o{uuid.uuid4().hex[:12]}")
    foreign_contact = foreign.contact("Other", "Tenant")
    await foreign.save()
    cases = [
        (gid("Contact", uuid.uuid4()), "CUST1102"),
        (gid("Contact", foreign_contact), "CUST1102"),
        (gid("Account", uuid.uuid4()), "CUST2102"),
    ]
    for owner, seed_code in cases:
        result = payload(await upload(http, admin, owner, b"%PDF"))
        assert [(e["field"], e["code"], e["seedCode"]) for e in result["errors"]] == [
            (["input", "ownerId"], "NOT_FOUND", seed_code)
        ]
    not_an_owner = await upload(http, admin, gid("Lead", uuid.uuid4()), b"%PDF")
    assert not_an_owner.json()["errors"][0]["extensions"]["code"] == "INVALID_ID"
    await store.assert_nothing_kept()


async def test_a_request_without_a_file_is_refused_with_a_code(
    http: httpx.AsyncClient, store: Store, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    as_json = await http.post(
        "/graphql",
        json={"query": UPLOAD, "variables": {"input": {"ownerId": owner}, "file": "not a file"}},
        headers=bearer(admin),
    )
    assert [e["seedCode"] for e in payload(as_json)["errors"]] == ["CRM1109"]
    operations = {"query": UPLOAD, "variables": {"input": {"ownerId": owner}, "file": None}}
    fields = {"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})}
    missing_part = await http.post(
        "/graphql",
        files={"operations": (None, fields["operations"]), "map": (None, fields["map"])},
        headers=bearer(admin),
    )
    assert missing_part.status_code == 400
    assert missing_part.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    two_files = await http.post(
        "/graphql", data=fields, files=[("0", ("a.pdf", b"1")), ("1", ("b.pdf", b"2"))], headers=bearer(admin)
    )
    assert two_files.status_code == 400
    batch = await http.post(
        "/graphql",
        data={"operations": json.dumps([operations]), "map": json.dumps({"0": ["0.variables.file"]})},
        files={"0": ("a.pdf", b"%PDF", "application/pdf")},
        headers=bearer(admin),
    )
    assert (batch.status_code, batch.json()["errors"][0]["extensions"]["code"]) == (400, "BAD_REQUEST")
    await store.assert_nothing_kept()


async def test_a_body_past_the_limit_is_refused_with_413_and_keeps_nothing(
    http: httpx.AsyncClient, store: Store, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    response = await upload(http, admin, owner, b"x" * (MAX_BYTES + store.settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the limit is counted as it arrives
        yield b"x" * 1024
        for _ in range(10):
            yield b"x" * 1_048_576

    boundary = "limit"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{{}}\r\n'
    head += f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.pdf"\r\n\r\n'

    async def body() -> AsyncIterator[bytes]:
        yield head.encode()
        async for chunk in chunked():
            yield chunk

    streamed = await http.post(
        "/graphql",
        content=body(),
        headers={**bearer(admin), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert streamed.status_code == 413
    await store.assert_nothing_kept()


class _Seen(logging.Handler):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text, self.event = text, asyncio.Event()
        self.loop = asyncio.get_running_loop()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.loop.call_soon_threadsafe(self.event.set)


async def test_an_upload_cancelled_by_the_client_keeps_nothing(
    base: str, store: Store, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    operations = json.dumps({"query": UPLOAD, "variables": {"input": {"ownerId": owner}, "file": None}})
    boundary = "cancelled"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{operations}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{{"0": ["variables.file"]}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    port = int(base.rsplit(":", 1)[1])
    request = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {admin}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + 4_000_000}\r\n\r\n"
    ).encode()
    seen = _Seen("disconnected during an upload")
    logging.getLogger("gateway.http").addHandler(seen)
    try:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(request + head + os.urandom(2_000_000))  # half the file, then the client goes
        await asyncio.wait_for(seen.event.wait(), timeout=30)
    finally:
        logging.getLogger("gateway.http").removeHandler(seen)
    await store.assert_nothing_kept()


async def test_uploading_needs_crm_doc_upload_and_read_access_to_the_owner(
    http: httpx.AsyncClient, store: Store, factory: Factory
) -> None:
    owner = await a_contact(factory)
    for permissions, missing in (
        (["CUST_READ", "CRM_DOC_VIEW"], "CRM_DOC_UPLOAD"),
        (["CRM_DOC_UPLOAD"], "CUST_READ"),
    ):
        token = token_for(store.settings, store.tenant, subject="writer", permissions=permissions)
        body = (await upload(http, token, owner, b"%PDF")).json()
        assert body["data"] == {"documentUpload": None}
        refused = body["errors"][0]["extensions"]
        assert (refused["code"], refused["permission"]) == ("FORBIDDEN", missing)
    await store.assert_nothing_kept()


def broken_storage(doc_settings: Settings, tmp_path: Path) -> Settings:
    """Settings whose storage fails every write: a directory under a file, or a bucket that is not there."""
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    return doc_settings.model_copy(
        update={"documents_dir": str(not_a_directory / "documents"), "documents_s3_bucket": "no-such-bucket"}
    )


@asynccontextmanager
async def gateway_of(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a gateway app made for ``settings`` alone (its engine disposed at the end)."""
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as http:
            yield http
    finally:
        await app.state.engine.dispose()


async def test_a_failing_store_answers_storage_unavailable_and_keeps_no_row(
    doc_settings: Settings, engine: Any, factory: Factory, tenant: str, tmp_path: Path
) -> None:
    broken = broken_storage(doc_settings, tmp_path)
    owner = await a_contact(factory)
    async with gateway_of(broken) as http:
        response = await upload(http, token_for(broken, tenant), owner, b"%PDF")
    body = response.json()
    assert body["data"] == {"documentUpload": None}
    assert (body["errors"][0]["extensions"]["code"], body["errors"][0]["extensions"]["seedCode"]) == (
        "STORAGE_UNAVAILABLE",
        "CRM1108",
    )
    assert S3_KEYS["documents_s3_secret_access_key"] not in response.text
    assert await document_rows(engine, tenant) == 0


async def test_a_document_whose_file_is_gone_answers_503_not_a_cut_body(
    http: httpx.AsyncClient, admin: str, factory: Factory
) -> None:
    contact = factory.contact("Lost", "File")
    document = factory.document(contact, "lost.pdf")  # a row whose key names no stored file
    await factory.save()
    response = await http.get(f"/documents/{gid('Document', document)}", headers=bearer(admin))
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "STORAGE_UNAVAILABLE"


# -- names, changes, removal -----------------------------------------------------------------------------


async def test_file_names_are_kept_safe_in_the_row_and_in_the_download_header(
    http: httpx.AsyncClient, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    cases = [
        ("../../etc/passwd.txt", "passwd.txt", 'attachment; filename="passwd.txt"'),
        ("Résumé; final (1).pdf", "Résumé; final (1).pdf", 'attachment; filename="R_sum_ final _1_.pdf"'),
        ("..", "document", 'attachment; filename="document"'),
    ]
    for sent, stored, disposition in cases:
        document = await uploaded(http, admin, owner, b"%PDF", name=sent, content_type="application/pdf")
        assert document["name"] == stored
        download = await http.get(document["downloadPath"], headers=bearer(admin))
        assert download.headers["content-disposition"].startswith(disposition + "; filename*=UTF-8''")
        assert download.headers["x-content-type-options"] == "nosniff"


async def test_a_generic_type_is_guessed_from_the_file_name(
    http: httpx.AsyncClient, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    document = await uploaded(
        http, admin, owner, b"a,b\n", name="table.csv", content_type="application/octet-stream"
    )
    assert document["contentType"] == "text/csv"
    refused = payload(
        await upload(http, admin, owner, b"MZ", name="tool", content_type="application/octet-stream")
    )
    assert [e["seedCode"] for e in refused["errors"]] == ["CRM1106"]


async def test_a_description_changes_through_the_crud_factory(
    http: httpx.AsyncClient, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    document = await uploaded(http, admin, owner, b"%PDF")
    update = """
    mutation($id: ID!, $v: Int) {
      documentUpdate(id: $id, input: {description: "Signed"}, expectedVersion: $v) {
        document { description version modifiedBy } errors { code seedCode }
      }
    }
    """

    async def change(id: str, version: int | None) -> Any:
        response = await http.post(
            "/graphql", json={"query": update, "variables": {"id": id, "v": version}}, headers=bearer(admin)
        )
        return response.json()["data"]["documentUpdate"]

    assert await change(document["id"], 1) == {
        "document": {"description": "Signed", "version": 2, "modifiedBy": "tester"},
        "errors": [],
    }
    assert (await change(document["id"], 1))["errors"] == [{"code": "CONFLICT", "seedCode": None}]
    missing = gid("Document", uuid.uuid4())
    assert (await change(missing, None))["errors"] == [{"code": "NOT_FOUND", "seedCode": "CRM1118"}]


async def test_remove_deletes_the_row_and_the_file(
    http: httpx.AsyncClient, store: Store, admin: str, factory: Factory
) -> None:
    owner = await a_contact(factory)
    document = await uploaded(http, admin, owner, b"%PDF to remove")
    assert len(await store.files()) == len(store.before) + 1
    remove = "mutation($id: ID!) { documentRemove(id: $id) { deletedId errors { code seedCode } } }"

    async def removed(token: str) -> Any:
        response = await http.post(
            "/graphql", json={"query": remove, "variables": {"id": document["id"]}}, headers=bearer(token)
        )
        return response.json()

    viewer = token_for(
        store.settings, store.tenant, permissions=["CRM_DOC_VIEW", "CRM_DOC_UPLOAD", "CUST_READ"]
    )
    refused = (await removed(viewer))["errors"][0]["extensions"]
    assert (refused["code"], refused["permission"]) == ("FORBIDDEN", "CRM_DOC_REMOVE")
    assert await store.rows() == 1

    assert (await removed(admin))["data"]["documentRemove"] == {"deletedId": document["id"], "errors": []}
    await store.assert_nothing_kept()
    assert (await http.get(document["downloadPath"], headers=bearer(admin))).status_code == 404
    again = (await removed(admin))["data"]["documentRemove"]
    assert again == {"deletedId": None, "errors": [{"code": "NOT_FOUND", "seedCode": "CRM1118"}]}


async def test_a_cancelled_storage_write_finishes_before_the_caller_cleans_up() -> None:
    """A thread cannot be stopped: the cancelled upload waits for its write, then deletes the file, so
    no write lands after the clean-up (``to_thread_to_the_end``)."""
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def write() -> None:
        started.set()
        release.wait(30)
        finished.set()

    task = asyncio.ensure_future(to_thread_to_the_end(write))
    await asyncio.to_thread(started.wait, 30)
    task.cancel()
    await asyncio.sleep(0)  # the cancellation is delivered; the task now waits for the thread
    assert not task.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished.is_set()
