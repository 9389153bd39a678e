"""The documentation stays true: its GraphQL examples run, its links resolve, its reference tables match
the code, and the README stays a front door.

Every ```graphql block in README.md and docs/**/*.md runs against an app seeded the way
``crm-gateway serve --demo`` seeds it (tenant ``demo``, its token's permissions), with the Akixi
demo simulator as the routing file's one upstream. A ```json block right after a GraphQL block holds
its variables. An example that shows an error on purpose says so in an HTML comment on the line
before it: ``<!-- example: error INVALID_PHONE -->``. Subscriptions are validated against the schema
(running one needs events that an example cannot make).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, OperationType, build_schema, parse, validate

from conftest import SECRET
from gateway.app import create_app
from gateway.auth import mint_token
from gateway.backends.sql.engine import create_engine
from gateway.backends.sql.migrate import upgrade
from gateway.cli import DEMO_CONTACTS, DEMO_PERMISSIONS, DEMO_SUBJECT, DEMO_TENANT, DEMO_TOKEN_LIFETIME
from gateway.permissions import CATALOG
from gateway.seed import seed_tenant
from gateway.settings import Settings, load_settings
from servers import threaded_server

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
README_LIMIT_BYTES = 15_000
ERROR_MARK = re.compile(r"<!--\s*example:\s*error\s+([A-Z_0-9]+)\s*-->")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    expected_error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def examples() -> Iterator[Example]:
    for page in PAGES:
        lines = page.read_text().splitlines()
        for index, line in enumerate(lines):
            if line.strip() == "```graphql":
                yield _example(page, lines, index)


def _example(page: Path, lines: list[str], start: int) -> Example:
    end = _block_end(lines, start)
    before = next((line for line in reversed(lines[:start]) if line.strip()), "")
    mark = ERROR_MARK.search(before)
    after = next((i for i in range(end + 1, len(lines)) if lines[i].strip()), None)
    variables: dict[str, Any] = {}
    if after is not None and lines[after].strip() == "```json":
        variables = json.loads("\n".join(lines[after + 1 : _block_end(lines, after)]))
    document = "\n".join(lines[start + 1 : end])
    return Example(page, start + 1, document, variables, mark.group(1) if mark else None)


def _block_end(lines: list[str], start: int) -> int:
    return next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```")


EXAMPLES = list(examples())


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A database seeded as ``serve --demo`` seeds it, and a routing file with the Akixi demo upstream."""
    from simulators.akixi import create_app as create_akixi

    folder = tmp_path_factory.mktemp("docs")
    url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    upgrade(url)
    asyncio.run(_seed_demo(url))
    with threaded_server(create_akixi()) as akixi:
        routing = folder / "backends.toml"
        routing.write_text(
            f"[upstreams.akixi]\nkind = 'akixi'\nbase_url = '{akixi}'\nsystem_name = 'Akixi'\n"
            "credentials = { api_key = 'demo-akixi-key' }\n"
            f"options = {{ tenants = ['{DEMO_TENANT}'] }}\n"
        )
        yield load_settings(database_url=url, jwt_secret=SECRET, backends=str(routing))


async def _seed_demo(url: str) -> None:
    engine = create_engine(url)
    try:
        await seed_tenant(engine, DEMO_TENANT, DEMO_CONTACTS, progress=False)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def demo(demo_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client with the token ``serve --demo`` prints."""
    app = create_app(demo_settings)
    token = mint_token(demo_settings, DEMO_SUBJECT, DEMO_TENANT, DEMO_PERMISSIONS, DEMO_TOKEN_LIFETIME)
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=headers) as client:
        yield client
    await app.state.view.strawberry.upstreams.aclose()
    await app.state.engine.dispose()


def test_the_docs_have_graphql_examples() -> None:
    assert len(EXAMPLES) >= 5 and any(e.page.name == "README.md" for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
async def test_every_graphql_example_runs_against_the_demo_data(
    example: Example, demo: httpx.AsyncClient
) -> None:
    document = parse(example.document)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if any(op.operation is OperationType.SUBSCRIPTION for op in operations):
        schema = build_schema((ROOT / "schema.graphql").read_text())
        assert validate(schema, document) == [], example.document
        return
    for operation in operations:
        name = operation.name.value if operation.name else None
        payload = {"query": example.document, "variables": example.variables, "operationName": name}
        body = (await demo.post("/graphql", json=payload)).json()
        _check_outcome(example, body)


def _check_outcome(example: Example, body: dict[str, Any]) -> None:
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    if example.expected_error is not None:
        assert example.expected_error in codes, body
        return
    assert codes == [], body
    assert _payload_errors(body.get("data")) == [], body


def _payload_errors(value: Any) -> list[Any]:
    """User errors anywhere in the data: mutation payloads' non-empty ``errors`` lists."""
    if isinstance(value, dict):
        own = value.get("errors")
        found = list(own) if isinstance(own, list) else []
        return found + [e for child in value.values() for e in _payload_errors(child)]
    if isinstance(value, list):
        return [e for child in value for e in _payload_errors(child)]
    return []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve(page: Path) -> None:
    broken = []
    for target in LINK.findall(_without_code(page.read_text())):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not checked offline
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        missing_anchor = anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved)
        if not resolved.exists() or missing_anchor:
            broken.append(target)
    assert broken == [], f"{page.relative_to(ROOT)} links to what does not exist: {broken}"


def _without_code(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", _without_code(page.read_text()), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_readme_is_a_front_door() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < README_LIMIT_BYTES
    run = "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/crm-gateway serve --demo"
    test = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest"
    assert f"```sh\n{run}\n```" in readme and f"```sh\n{test}\n```" in readme


def test_the_settings_page_lists_every_setting_with_its_default() -> None:
    rows = _table_rows(ROOT / "docs" / "settings.md", "| variable |")
    documented = {name: row for row in rows for name in re.findall(r"`(CRM_GATEWAY_\w+)`", row[0])}
    variables = {f"CRM_GATEWAY_{name.upper()}": info for name, info in Settings.model_fields.items()}
    assert sorted(set(variables) - set(documented)) == [], "settings without a row in docs/settings.md"
    assert sorted(set(documented) - set(variables)) == [], "rows in docs/settings.md for no setting"
    wrong = {
        name: documented[name][1]
        for name, info in variables.items()
        if info.default is not None and _shown(info.default) not in documented[name][1]
    }
    assert wrong == {}, "defaults in docs/settings.md that settings.py does not have"


def _shown(default: Any) -> str:
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, float):
        return f"`{default:g}`"
    return f"`{default}`"


def test_the_permissions_page_lists_the_catalog_as_the_code_has_it() -> None:
    rows = _table_rows(ROOT / "docs" / "permissions.md", "| permission | source | allows |")
    expected = [[f"`{p.name}`", p.source, p.description] for p in CATALOG]
    assert rows == expected, "docs/permissions.md's catalog table should read:\n" + "\n".join(
        f"| {' | '.join(row)} |" for row in expected
    )


def _table_rows(page: Path, header: str) -> list[list[str]]:
    lines = page.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header)) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows
