"""``serve`` migrates in a child process (``cli._prepare_database(migrate_elsewhere=True)``): the server
never imports Alembic (nor does ``/readyz``), whose modules would stay resident for its whole life,
and a failing migration still stops it with the plain message ``db upgrade`` gives."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PREPARE = """
import sys
from gateway import cli
try:
    cli._prepare_database(sys.argv[1], migrate_elsewhere=True)
except cli.CommandError as error:
    print("refused:", error)
import gateway.app, gateway.health  # what serve imports besides
import asyncio
from gateway.backends.sql.engine import create_engine
from gateway.settings import load_settings
async def ready():  # /readyz compares the database's revision with the shipped migrations' head
    engine = create_engine(sys.argv[1])
    readiness = gateway.health.Readiness(load_settings(jwt_secret="x" * 32), engine, None)
    try:
        print("ready:", (await readiness.respond(None)).status_code)
    finally:
        await engine.dispose()
asyncio.run(ready())
print("alembic imported:", any(name.split(".")[0] == "alembic" for name in sys.modules))
"""


def _prepare(url: str) -> str:
    done = subprocess.run([sys.executable, "-c", PREPARE, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_serve_migrates_in_a_child_and_never_imports_alembic(tmp_path: Path) -> None:
    database = tmp_path / "serve.db"
    out = _prepare(f"sqlite+aiosqlite:///{database}")
    assert "refused" not in out
    assert "ready: 200" in out
    assert "alembic imported: False" in out
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"contacts", "leads", "accounts"} <= tables
    assert revision


def test_a_migration_the_child_cannot_run_stops_serve_with_the_reason(tmp_path: Path) -> None:
    database = tmp_path / "unknown.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('not_a_revision')")
    out = _prepare(f"sqlite+aiosqlite:///{database}")
    assert "refused: database error:" in out
    assert "not_a_revision" in out


# Runs first in the migration child (``site`` imports it): records the child's whole command line, then
# ends the process before it can answer, as a crash would.
CRASHING_CHILD = """
import json, os, sys
with open({record!r}, "w") as record:
    json.dump(sys.orig_argv, record)
os._exit(3)
"""


def test_a_child_that_ends_without_answering_is_a_plain_reason_and_never_saw_the_url_in_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.migrate import migrate_in_child

    record = tmp_path / "argv.json"
    (tmp_path / "sitecustomize.py").write_text(CRASHING_CHILD.format(record=str(record)))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    url = "postgresql+asyncpg://someone:s3cret-pass@127.0.0.1:1/nowhere"
    assert migrate_in_child(url) == "the migration process ended before it finished"
    argv = json.loads(record.read_text())
    assert argv[-2:] == ["-m", "gateway.migrate"]
    assert not any("s3cret-pass" in argument or "someone" in argument for argument in argv)


def _migrations_run_by(url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs ``serve``'s preparation of ``url`` hands a migration child (which is not started)."""
    from gateway import cli

    children: list[str] = []

    def run(command: list[str], input: str, **options: Any) -> subprocess.CompletedProcess[str]:
        assert command[-2:] == ["-m", "gateway.migrate"]
        children.append(input)
        return subprocess.CompletedProcess(command, 0, stdout='{"reason": null}\n')

    monkeypatch.setattr(subprocess, "run", run)
    cli._prepare_database(url, migrate_elsewhere=True)
    return children


def test_a_database_at_the_shipped_heads_starts_no_migration_child(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test database is migrated: Alembic would find nothing to do (~0.8 s of CPU at every start).
    assert _migrations_run_by(database_url, monkeypatch) == []


@pytest.mark.parametrize("revision", [None, "0001", "not_a_revision"])
def test_a_database_elsewhere_is_migrated_in_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, revision: str | None
) -> None:
    database = tmp_path / "behind.db"
    with sqlite3.connect(database) as connection:  # empty, or at another revision than the shipped one
        if revision is not None:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    url = f"sqlite+aiosqlite:///{database}"
    assert _migrations_run_by(url, monkeypatch) == [url]


def test_no_shipped_migrations_found_is_never_taken_for_a_database_at_their_heads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install without its revision files (none found) and a database with an empty version table
    are both "no revisions": Alembic, not the skip, must answer for that."""
    from gateway.backends.sql import migrate

    monkeypatch.setattr(migrate, "shipped_heads", frozenset)
    database = tmp_path / "empty-version.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    url = f"sqlite+aiosqlite:///{database}"
    assert _migrations_run_by(url, monkeypatch) == [url]
