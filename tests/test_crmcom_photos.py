"""Profile photos of contacts routed to CRM.COM (seed 003 contact_information/profile_photo view L3709,
add L3822, remove L3948), and the simulator's own reading of those methods, over real HTTP.

Every call the connector makes is checked against ``tests/contracts/crmcom`` (the ``simulator``
fixture fails the test on a violation), under each of the simulator's profiles.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import Client, token_for
from crmcom_env import PASSWORD, Simulator, cost
from factories import gid
from gateway.backends.rest.crmcom.photos import photo_record
from gateway.backends.rest.errors import UpstreamBadResponse
from gateway.settings import Settings
from test_profile_photos import REFUSED, Refused

ROUTES = {"Contact": "crmcom", "Communication": "crmcom", "CommunicationQueueEntry": "crmcom"}
API = "/crmapi/rest/v2/"
MAX_BYTES = 64 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
ADD = """
mutation($input: ContactProfilePhotoAddInput!, $file: Upload!) {
  contactProfilePhotoAdd(input: $input, file: $file) {
    contact { id profilePhoto { fileName contentType size downloadPath } }
    errors { field code seedCode }
  }
}
"""
REMOVE = """mutation($input: ContactProfilePhotoRemoveInput!) {
  contactProfilePhotoRemove(input: $input) { contact { profilePhoto { fileName } } errors { code seedCode } }
}"""
VIEW_METHOD = "contact_information/profile_photo/view"
VIEW = "query($id: ID!) { contact(id: $id) { profilePhoto { fileName contentType size downloadPath } } }"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"documents_max_bytes": MAX_BYTES, "documents_dir": str(tmp_path)})


@pytest.fixture
def crm_routes() -> dict[str, str]:
    return ROUTES


def a_contact(simulator: Simulator, tenant: str, email: str = "ada@example.com") -> tuple[str, str]:
    """A CRM.COM contact: (its CRM.COM id, its graph id)."""
    crm_id = simulator.store.add_contact(
        tenant, first_name="Ada", last_name="Lovelace", emails_set=[{"id": uuid.uuid4().hex, "email": email}]
    )
    return crm_id, gid("Contact", uuid.UUID(hex=crm_id))


async def add_photo(
    client: Client, contact: str, content: bytes, name: str = "ada.png", content_type: str = "image/png"
) -> dict[str, Any]:
    operations = {"query": ADD, "variables": {"input": {"contactId": contact}, "file": None}}
    response = await client.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, content_type)},
        headers={"Authorization": f"Bearer {client.token}"},
    )
    return response.json()  # type: ignore[no-any-return]


def adds(simulator: Simulator) -> int:
    return simulator.calls("contact_information/profile_photo/add", "POST")


async def test_a_routed_photo_is_added_viewed_downloaded_replaced_and_removed(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    crm_id, contact = a_contact(simulator, tenant)
    added = (await add_photo(crm_client, contact, PNG))["data"]["contactProfilePhotoAdd"]
    assert added["errors"] == []
    photo = added["contact"]["profilePhoto"]
    stored = simulator.store.org(tenant).photos[crm_id]
    assert (stored["content"], stored["mime"]) == (PNG, "image/png")
    path = f"/contacts/{contact}/profile-photo"
    assert photo == {
        "fileName": stored["file_name"],
        "contentType": "image/png",
        "size": None,
        "downloadPath": path,
    }
    assert photo["fileName"].endswith("_ada.png")  # CRM.COM's name (seed 003 line 3795)

    viewed = await crm_client.execute(VIEW, {"id": contact})
    assert viewed["data"]["contact"]["profilePhoto"] == photo
    assert cost(viewed)["upstreamCallsBySystem"] == {"crmcom": 2}  # show and view (logged in already)

    auth = {"Authorization": f"Bearer {crm_client.token}"}
    download = await crm_client.http.get(path, headers=auth)
    assert (download.status_code, download.content, download.headers["content-type"]) == (
        200,
        PNG,
        "image/png",
    )
    assert PASSWORD not in download.text and "token" not in str(download.headers).lower()

    other = b"GIF89a" + b"\x00" * 300
    await add_photo(crm_client, contact, other, name="new.gif", content_type="image/gif")
    assert (await crm_client.http.get(path, headers=auth)).content == other

    removed = await crm_client.execute(REMOVE, {"input": {"contactId": contact}})
    assert removed["data"]["contactProfilePhotoRemove"] == {"contact": {"profilePhoto": None}, "errors": []}
    assert crm_id not in simulator.store.org(tenant).photos
    assert (await crm_client.http.get(path, headers=auth)).status_code == 404


@pytest.mark.parametrize("refused", REFUSED, ids=lambda refused: refused.name)
async def test_a_refused_file_never_reaches_crmcom(
    crm_client: Client, simulator: Simulator, tenant: str, refused: Refused
) -> None:
    crm_id, contact = a_contact(simulator, tenant)
    content = refused.content(MAX_BYTES)
    body = await add_photo(crm_client, contact, content, refused.name, refused.content_type)
    errors = body["data"]["contactProfilePhotoAdd"]["errors"]
    assert [(e["field"], e["code"], e["seedCode"]) for e in errors] == [
        (["file"], refused.code, refused.seed_code)
    ]
    assert (adds(simulator), crm_id in simulator.store.org(tenant).photos) == (0, False)


async def test_missing_file_unknown_contact_and_other_tenant_are_refused_with_codes(
    crm_client: Client, simulator: Simulator, tenant: str, settings: Settings
) -> None:
    crm_id, contact = a_contact(simulator, tenant)
    missing = await crm_client.post(ADD, {"input": {"contactId": contact}, "file": "not a file"})
    assert [e["seedCode"] for e in missing.json()["data"]["contactProfilePhotoAdd"]["errors"]] == ["CRM1109"]
    unknown = gid("Contact", uuid.uuid4())
    for body in (
        await add_photo(crm_client, unknown, PNG),
        (await crm_client.post(REMOVE, {"input": {"contactId": unknown}})).json(),
    ):
        (result,) = body["data"].values()
        assert [(e["code"], e["seedCode"]) for e in result["errors"]] == [("NOT_FOUND", "CUST1102")]
    outsider = Client(crm_client.http, token_for(settings, f"o{uuid.uuid4().hex[:12]}"))
    foreign = await add_photo(outsider, contact, PNG)  # a tenant this CRM.COM account does not serve
    assert foreign["data"]["contactProfilePhotoAdd"]["errors"][0]["seedCode"] == "CUST1102"
    reader = Client(crm_client.http, token_for(settings, tenant, subject="reader", permissions=["CUST_READ"]))
    refused = await add_photo(reader, contact, PNG)
    assert (refused["data"], refused["errors"][0]["extensions"]["code"]) == (
        {"contactProfilePhotoAdd": None},
        "FORBIDDEN",
    )
    assert (adds(simulator), crm_id in simulator.store.org(tenant).photos) == (0, False)
    no_permission = Client(crm_client.http, token_for(settings, tenant, permissions=["CRM_DOC_VIEW"]))
    download = await no_permission.http.get(
        f"/contacts/{contact}/profile-photo", headers={"Authorization": f"Bearer {no_permission.token}"}
    )
    assert download.status_code == 403


async def test_a_download_while_crmcom_cannot_answer_is_a_503_with_the_upstream_code(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    _, contact = a_contact(simulator, tenant)
    await add_photo(crm_client, contact, PNG)
    simulator.faults.fail(503)
    download = await crm_client.http.get(
        f"/contacts/{contact}/profile-photo", headers={"Authorization": f"Bearer {crm_client.token}"}
    )
    assert download.status_code == 503, download.text
    assert download.json()["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert download.headers["retry-after"] == "10"


async def test_a_token_that_expires_before_the_photo_stream_is_renewed_as_for_every_other_call(
    crm_client: Client, simulator: Simulator, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token expires after the view named the image and before its servlet is asked for it: the
    servlet refuses it (HTTP 404, not the Web API's TOKEN_EXPIRED), the view is asked again, which
    renews the token as every Web API call does, and the image is streamed with the new one."""
    _, contact = a_contact(simulator, tenant)
    await add_photo(crm_client, contact, PNG)
    inner, expired = simulator.app.app, []

    async def expiring_before_the_servlet(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/crm/") and not expired:
            simulator.store.expire_tokens()
            expired.append(scope["path"])
        await inner(scope, receive, send)

    monkeypatch.setattr(simulator.app, "app", expiring_before_the_servlet)
    logins, views = simulator.calls("authentication/token", "POST"), simulator.calls(VIEW_METHOD)
    download = await crm_client.http.get(
        f"/contacts/{contact}/profile-photo", headers={"Authorization": f"Bearer {crm_client.token}"}
    )
    assert (download.status_code, download.content) == (200, PNG), download.text
    assert expired and simulator.calls("authentication/token", "POST") == logins + 1
    # It named the image, then was asked again: refused for the expired token, and sent once more.
    assert simulator.calls(VIEW_METHOD) - views == 3


async def test_a_photo_removed_between_the_view_and_the_image_is_a_404_not_a_503(
    crm_client: Client, simulator: Simulator, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view named the image, then the photo was removed before its servlet was asked: the second
    look finds no photo, so the download is the 404 of a contact without one, not an upstream fault."""
    crm_id, contact = a_contact(simulator, tenant)
    await add_photo(crm_client, contact, PNG)
    inner = simulator.app.app

    async def removing_before_the_servlet(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/crm/"):
            simulator.store.org(tenant).photos.pop(crm_id, None)
        await inner(scope, receive, send)

    monkeypatch.setattr(simulator.app, "app", removing_before_the_servlet)
    views = simulator.calls(VIEW_METHOD)
    download = await crm_client.http.get(
        f"/contacts/{contact}/profile-photo", headers={"Authorization": f"Bearer {crm_client.token}"}
    )
    assert download.status_code == 404, download.text
    assert download.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert simulator.calls(VIEW_METHOD) - views == 2  # the view that named it and the second look


PAGE = """query { contacts(first: 50, filter: {email: {eq: "team@example.com"}}) {
  nodes { firstName profilePhoto { fileName } }
} }"""


@pytest.mark.parametrize("size", [2, 6])
async def test_photos_of_a_page_cost_one_view_per_contact(
    crm_client: Client, simulator: Simulator, tenant: str, size: int
) -> None:
    """Seed 003 has no photo in show or list and no view for several contacts: one view per contact."""
    contacts = [a_contact(simulator, tenant, "team@example.com") for _ in range(size)]
    await add_photo(crm_client, contacts[0][1], PNG)
    simulator.faults.log.clear()
    body = await crm_client.execute(PAGE)
    nodes = body["data"]["contacts"]["nodes"]
    assert sum(node["profilePhoto"] is not None for node in nodes) == 1 and len(nodes) == size
    assert simulator.calls("contact_information/profile_photo/view") == size
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": 1 + size}  # the list, and a view each


async def test_a_photo_view_that_fails_nulls_that_contacts_photo_alone_with_its_error_and_path(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    """One view per contact: a failure of one is that contact's ``profilePhoto`` null with its error and
    path, as GraphQL answers a failed field; the other contacts' photos are answered."""
    names = ("Ada", "Bob", "Cy")
    ids = {
        name: simulator.store.add_contact(
            tenant,
            first_name=name,
            last_name="Team",
            emails_set=[{"id": uuid.uuid4().hex, "email": "team@example.com"}],
        )
        for name in names
    }
    await add_photo(crm_client, gid("Contact", uuid.UUID(hex=ids["Ada"])), PNG)
    photos = simulator.store.org(tenant).photos
    photos[ids["Bob"]] = {**photos[ids["Ada"]], "image_id": "n\u00e9"}  # a URL that is no ASCII path
    body = (await crm_client.post(PAGE)).json()
    nodes = body["data"]["contacts"]["nodes"]
    assert {node["firstName"]: node["profilePhoto"] for node in nodes} == {
        "Ada": {"fileName": photos[ids["Ada"]]["file_name"]},
        "Bob": None,
        "Cy": None,
    }
    bob = [node["firstName"] for node in nodes].index("Bob")
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["contacts", "nodes", bob, "profilePhoto"], "UPSTREAM_BAD_RESPONSE")
    ]
    assert simulator.calls(VIEW_METHOD) == 1 + len(names)  # the add's payload, then one view each


# -- the simulator itself ------------------------------------------------------------------------------


@pytest.fixture
async def api(simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    simulator.contracts.enabled = False  # these calls break the seed on purpose
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        yield client


async def _token(api: httpx.AsyncClient, simulator: Simulator, organisation: str) -> str:
    simulator.store.add_user(organisation, "user", "secret")
    body = {"username": "user", "password": "secret", "organisation": organisation}
    return str((await api.post(API + "authentication/token", json=body)).json()["data"]["token"])


async def test_the_simulator_serves_the_seeds_photo_methods(
    api: httpx.AsyncClient, simulator: Simulator
) -> None:
    organisation = f"org-{uuid.uuid4().hex[:8]}"
    token, other = (
        await _token(api, simulator, organisation),
        await _token(api, simulator, organisation + "x"),
    )
    contact = simulator.store.add_contact(organisation, first_name="Ada", last_name="Lovelace")
    form = {"token": token, "contact_information_identifier": f"id={contact}"}  # seed 003 lines 3904-3910
    added = await api.post(
        API + "contact_information/profile_photo/add",
        data=form,
        files={"file": ("a.jpg", b"jpg", "image/jpeg")},
    )
    assert added.json()["status"]["code"] == "OK"
    view = await api.get(API + "contact_information/profile_photo/view", params=form)
    photo = view.json()["data"]
    assert photo["file_mime_type"] == "image/jpeg" and photo["file_name"].endswith("_a.jpg")
    assert photo["file_content_url"].startswith("/crm/ImageDownloadServlet?id=")
    image = await api.get(photo["file_content_url"] + f"&token={token}")  # seed 003 lines 3810-3820
    assert (image.status_code, image.content) == (200, b"jpg")
    assert (await api.get(photo["file_content_url"] + f"&token={other}")).status_code == 404

    def code(response: httpx.Response) -> str:
        return str(response.json()["status"]["code"])

    add = API + "contact_information/profile_photo/add"
    assert (
        code(await api.post(add, data=form, files={"file": ("a.txt", b"x", "text/plain")})) == "INVALID_VALUE"
    )
    assert (
        code(await api.post(add, data=form, files={"other": ("a.jpg", b"x", "image/jpeg")}))
        == "UNKNOWN_PARAMETER"
    )
    no_file = {"fields_set": (None, "file_name")}  # multipart, without a file part
    assert code(await api.post(add, data=form, files=no_file)) == "MANDATORY_FIELD_MISSING"
    as_json = {**form, "file_name": "a.jpg"}
    assert code(await api.post(add, json=as_json)) == "UNKNOWN_PARAMETER"  # the seed's add is multipart
    remove = API + "contact_information/profile_photo/remove"
    body = {"token": token, "contact_information_identifier": {"id": contact}}
    assert code(await api.post(remove, json={**body, "fields_set": "id"})) == "UNKNOWN_PARAMETER"
    removed = (await api.post(remove, json=body)).json()
    assert (removed["status"]["code"], removed["data"]) == ("OK", None)  # "Not applicable" (line 3998)
    empty = (await api.get(API + "contact_information/profile_photo/view", params=form)).json()["data"]
    assert not any((empty or {}).values())


@pytest.mark.parametrize(
    "url", ["https://elsewhere.example/crm/Image?id=1", "//elsewhere.example/x", "crm/Image?id=1"]
)
def test_a_photo_url_that_is_no_path_on_the_server_is_a_bad_response(url: str) -> None:
    """The token goes only to the configured server: an upstream answer naming another host is refused."""
    with pytest.raises(UpstreamBadResponse):
        photo_record("crmcom", uuid.uuid4(), {"file_name": "a.jpg", "file_content_url": url})
    assert photo_record("crmcom", uuid.uuid4(), {"file_content_url": None}) is None  # no photo
