"""``crm-gateway db upgrade``: apply the Alembic migrations shipped inside the package."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps


def alembic_config(database_url: str) -> Config:
    # Imported here: the serving process migrates in a child process (``cli._serve``) and otherwise
    # never needs Alembic, whose modules would stay resident (~10 MiB with Mako).
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


def shipped_heads() -> frozenset[str]:
    """The revisions the shipped migrations end at: those no other names as its ``down_revision``.

    Read from the revision files' assignments, not through Alembic: ``/readyz`` asks, and importing
    Alembic and Mako for it kept ~9.5 MiB resident in the server. ``tests/test_migrations.py``
    checks the answer against Alembic's own.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        assigned = _assignments(path, {"revision", "down_revision"})
        revisions.add(assigned["revision"])
        down = assigned.get("down_revision")
        parents.update(down if isinstance(down, tuple | list) else [down] if down else [])
    return frozenset(revisions - parents)


def _assignments(path: Path, names: set[str]) -> dict[str, Any]:
    """The literal values a module assigns at its top level to ``names`` (``x = 1`` or ``x: T = 1``)."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            found[target.id] = ast.literal_eval(value)
    return found


def applied_revisions(connection: sa.Connection) -> frozenset[str]:
    """The revisions the database is at (none before its first migration), read as Alembic's
    ``MigrationContext.get_current_heads`` does, with plain SQL."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    return frozenset(connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
