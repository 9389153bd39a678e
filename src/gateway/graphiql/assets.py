"""GraphiQL's files, served by the gateway itself: the pinned npm files of ``assets.json`` and the page's own.

The npm files carry their version in their names, so browsers may keep them for a year; the page's own
script and style keep their names across releases, so browsers revalidate them (ETag) on each load.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

HERE = Path(__file__).parent
URL_PREFIX = "/graphiql/"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
OWN_FILES = ("page.css", "page.js")


@dataclass(frozen=True)
class Asset:
    """One file the page loads: where it lies, its URL and its Subresource Integrity hash."""

    name: str
    path: Path
    integrity: str
    cache_control: str

    @property
    def url(self) -> str:
        return URL_PREFIX + self.name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.path.suffix]


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def pinned() -> list[dict[str, str]]:
    """The npm files as ``scripts/refresh_graphiql.py`` recorded them: package, version, file, integrity."""
    entries: list[dict[str, str]] = json.loads((HERE / "assets.json").read_text())
    return entries


@cache
def assets() -> dict[str, Asset]:
    """Every servable file by name, in the order the page loads them (the npm files, then the page's)."""
    found = [
        Asset(entry["file"], HERE / "assets" / entry["file"], entry["integrity"], IMMUTABLE)
        for entry in pinned()
    ]
    # The page's own files are hashed as they are: they change with the code, not with a refresh.
    found += [Asset(name, HERE / name, sha384((HERE / name).read_bytes()), REVALIDATE) for name in OWN_FILES]
    return {asset.name: asset for asset in found}


async def serve_asset(request: Request) -> Response:
    asset = assets().get(request.path_params["name"])
    if asset is None:
        return PlainTextResponse("Not Found", status_code=404)
    headers = {"Cache-Control": asset.cache_control, "X-Content-Type-Options": "nosniff"}
    return FileResponse(asset.path, media_type=asset.content_type, headers=headers)


def asset_routes() -> list[Route]:
    return [Route(URL_PREFIX + "{name}", serve_asset, methods=["GET", "HEAD"])]
