"""GraphiQL in headless Chromium, with no internet: the README's Run it, as a newcomer's browser sees it.

``crm-gateway serve --demo`` runs for real; Chromium (Debian's ``chromium`` package) opens the page with
every host but 127.0.0.1 unresolvable, runs the README's sample query through GraphiQL's editor and run
button, and the test reads the answer GraphiQL shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cdp import browser_page, find_browser
from conftest import REQUIRE_SERVICES, SECRET
from gateway.graphiql.assets import assets
from servers import sqlite_gateway

README = Path(__file__).resolve().parent.parent / "README.md"
BROWSER = find_browser()
QUERY_EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror')"
RESPONSE_EDITOR = "document.querySelector('.graphiql-response .CodeMirror')"

WEBSOCKET_HANDSHAKE = """new Promise((resolve) => {
  const socket = new WebSocket(location.href.split("?")[0].replace(/^http/, "ws"), "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify({type: "connection_init", payload: %s}));
  socket.onmessage = (event) => { resolve(JSON.parse(event.data).type); socket.close(); };
  socket.onerror = () => resolve("error");
  socket.onclose = (event) => resolve("closed " + event.code);
})"""


def readme_sample_query() -> str:
    """The first GraphQL block of the README's "Run it" section: what a newcomer pastes first."""
    run_it = README.read_text().split("## Run it", 1)[1]
    match = re.search(r"```graphql\n(.*?)```", run_it, re.DOTALL)
    assert match is not None, "the README's Run it section has no GraphQL sample"
    return match.group(1)


@pytest.fixture(scope="module")
def browser() -> str:
    if BROWSER is None:
        if REQUIRE_SERVICES:
            pytest.fail(
                "CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but chromium is not installed (apt-get install chromium)"
            )
        pytest.skip(
            "chromium is not installed (apt-get install chromium): the GraphiQL browser test needs it"
        )
    return BROWSER


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sqlite_gateway(tmp_path_factory.mktemp("graphiql"), SECRET, CRM_GATEWAY_ENV="development") as base:
        yield base


async def test_readme_sample_query_runs_in_graphiql_without_internet(browser: str, server: str) -> None:
    async with browser_page(browser) as page:
        await page.send("Page.navigate", url=f"{server}/graphql")
        await page.wait_for(
            f"{QUERY_EDITOR} !== null && !!document.querySelector('.graphiql-execute-button')"
        )
        # serve --demo printed a token: the Headers pane starts with it, so the query runs as is.
        headers = await page.wait_for(
            "[...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror.getValue())"
            ".find(text => text.includes('\"Authorization\"'))"
        )
        assert json.loads(headers)["Authorization"].startswith("Bearer ey")

        await page.evaluate(f"{QUERY_EDITOR}.CodeMirror.setValue({json.dumps(readme_sample_query())})")
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        shown = await page.wait_for(
            f"{RESPONSE_EDITOR} && {RESPONSE_EDITOR}.CodeMirror.getValue().includes('totalCount')"
            f" && {RESPONSE_EDITOR}.CodeMirror.getValue()"
        )
        # Subscriptions: the page's policy lets it open the gateway's WebSocket, and the header authenticates.
        handshake = await page.evaluate(WEBSOCKET_HANDSHAKE % json.dumps(json.loads(headers)))
        assert handshake == "connection_ack"

    result = json.loads(shown)
    assert "errors" not in result, result
    contacts = result["data"]["contacts"]
    assert contacts["totalCount"] == 200
    assert len(contacts["edges"]) == 5
    assert contacts["pageInfo"]["hasNextPage"] is True
    # Every file came from the gateway itself, and nothing failed to load.
    assert {urlsplit(url).netloc for url in page.requested if url.startswith("http")} == {
        urlsplit(server).netloc
    }
    assert {f"{server}{asset.url}" for asset in assets().values()} <= set(page.requested)
    assert page.errors == []
