"""Node.js for the tests that run npm packages (pinned by a package-lock.json in their folder)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REQUIRE_SERVICES


def node_with(folder: Path, package: str, purpose: str) -> str:
    """The ``node`` executable, once ``npm ci`` has installed ``folder``'s lockfile (when ``package`` is
    missing from its node_modules); skips, or fails where services are required, without Node.js."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if REQUIRE_SERVICES:
            pytest.fail("CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but Node.js or npm is not installed")
        pytest.skip(f"Node.js and npm are not installed: {purpose} needs them")
    if not (folder / "node_modules" / package).is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=folder, check=True, timeout=600)
    return node
