"""GraphiQL's HTML page: the bundled files with their integrity hashes, and the demo token when allowed.

``crm-gateway serve --demo`` prints a token for tenant ``demo``; when it serves on a loopback address
in development, the page also fills GraphiQL's Headers pane with it, so a newcomer's first query runs
as is. The token reaches the page only for a browser on the same machine: never in production, never
for a server listening on another interface, never for a client connecting from elsewhere.
"""

from __future__ import annotations

import ipaddress
import json
import os
from functools import cache
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from gateway.graphiql.assets import HERE, Asset, assets
from gateway.settings import Environment, Settings

TOKEN_VARIABLE = "CRM_GATEWAY_GRAPHIQL_TOKEN"
# Nothing loads from elsewhere: scripts and styles only from the gateway (GraphiQL sets inline styles),
# requests only to the gateway itself (its WebSocket included).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
WELCOME_QUERY = """# CRM Graph Gateway: press the run button (or Ctrl-Enter) to run this query.
# The Headers pane below holds the Authorization header; the Docs and Explorer buttons on the
# left show every type and field.
{
  me { subject tenant { key } }
  contacts(first: 5, orderBy: [{field: LAST_NAME}]) {
    totalCount
    edges { node { displayName primaryEmail } }
  }
}
"""


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def may_prefill_token(settings: Settings, host: str) -> bool:
    """Development, on a loopback address: the only place a printed demo token may go into a page."""
    return settings.env is Environment.DEVELOPMENT and is_loopback(host)


def offer_demo_token(settings: Settings, host: str, token: str) -> Settings:
    """The settings with the printed demo token for the page, when it may have it.

    The environment carries it too, for the processes of ``--workers``, which read their settings there.
    """
    if not may_prefill_token(settings, host):
        return settings
    os.environ[TOKEN_VARIABLE] = token
    return settings.model_copy(update={"graphiql_token": token})


def graphiql_page(request: Request, settings: Settings) -> HTMLResponse:
    config: dict[str, str] = {"query": WELCOME_QUERY}
    token = _demo_token(request, settings)
    if token is not None:
        config["headers"] = json.dumps({"Authorization": f"Bearer {token}"}, indent=2)
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Referrer-Policy": "no-referrer"}
    # The page may hold a token: nothing between the browser and the gateway may keep it.
    headers["Cache-Control"] = "no-store"
    return HTMLResponse(_render(config), headers=headers)


def _demo_token(request: Request, settings: Settings) -> str | None:
    token = settings.graphiql_token
    if not token or settings.env is not Environment.DEVELOPMENT:
        return None
    server = request.scope.get("server")
    client = request.client
    local = is_loopback(server[0] if server else None) and is_loopback(client.host if client else None)
    return token if local else None


def _render(config: dict[str, str]) -> str:
    # In a <script> element only "</" could end it early: JSON escapes "<" so no text can.
    embedded = json.dumps(config).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        _template()
        .replace("{{styles}}", "\n    ".join(_tag(a) for a in assets().values() if a.name.endswith(".css")))
        .replace("{{scripts}}", "\n    ".join(_tag(a) for a in assets().values() if a.name.endswith(".js")))
        .replace("{{config}}", embedded)
    )


def _tag(asset: Asset) -> str:
    url, integrity = escape(asset.url), escape(asset.integrity)
    if asset.name.endswith(".css"):
        return f'<link rel="stylesheet" href="{url}" integrity="{integrity}" />'
    return f'<script src="{url}" integrity="{integrity}"></script>'


@cache
def _template() -> str:
    return (HERE / "page.html").read_text()
