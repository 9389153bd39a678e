#!/usr/bin/env python3
"""Refresh GraphiQL's bundled files from the npm registry (the gateway serves them; no CDN at runtime).

To move to new versions, edit ``version`` in ``src/gateway/graphiql/assets.json`` (the packages and
the file inside each package stay listed there), then run from the repository root:

    python3 scripts/refresh_graphiql.py

For each package it runs ``npm pack <package>@<version>`` (npm checks the tarball against the
registry's published sha512 ``dist.integrity``), compares that integrity with ``npm view`` once more,
copies the listed file into ``src/gateway/graphiql/assets/`` under a name carrying the version, and
writes its sha384 into the manifest; the page uses it as the ``integrity`` attribute and
``tests/test_graphiql_assets.py`` checks every shipped file against it. Files of older versions are
removed. Commit the manifest and the files together. Needs only ``npm`` and Python 3.11+.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "src" / "gateway" / "graphiql"
MANIFEST = PACKAGE_DIR / "assets.json"
ASSETS = PACKAGE_DIR / "assets"


def shipped_name(package: str, version: str, path: str) -> str:
    """``@graphiql/plugin-explorer`` 1.0.2 ``dist/index.umd.js`` -> ``graphiql-plugin-explorer-1.0.2-index.umd.js``."""
    return f"{package.lstrip('@').replace('/', '-')}-{version}-{Path(path).name}"


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def npm(*args: str, cwd: Path) -> str:
    return subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def fetch_tarball(spec: str, folder: Path) -> Path:
    """``npm pack`` the package into ``folder``; refuses a tarball whose integrity the registry disowns."""
    packed = json.loads(npm("pack", spec, "--json", cwd=folder))[0]
    published = npm("view", spec, "dist.integrity", cwd=folder).strip()
    if packed["integrity"] != published:
        raise SystemExit(f"{spec}: tarball integrity {packed['integrity']} != registry's {published}")
    return folder / packed["filename"]


def refresh() -> None:
    entries = json.loads(MANIFEST.read_text())
    ASSETS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder, tarballs = Path(temporary), {}
        for entry in entries:
            spec = f"{entry['package']}@{entry['version']}"
            if spec not in tarballs:
                tarballs[spec] = fetch_tarball(spec, folder)
            with tarfile.open(tarballs[spec]) as archive:
                member = archive.extractfile(f"package/{entry['path']}")
                if member is None:
                    raise SystemExit(f"{spec} has no file {entry['path']}")
                data = member.read()
            entry["file"] = shipped_name(entry["package"], entry["version"], entry["path"])
            entry["integrity"] = sha384(data)
            (ASSETS / entry["file"]).write_bytes(data)
            print(f"{entry['file']:<55} {len(data):>9,} bytes  {entry['integrity']}")
    kept = {entry["file"] for entry in entries}
    for stale in ASSETS.iterdir():
        if stale.name not in kept:
            stale.unlink()
            print(f"removed {stale.name}")
    MANIFEST.write_text(json.dumps(entries, indent=2) + "\n")


if __name__ == "__main__":
    refresh()
    sys.exit(0)
