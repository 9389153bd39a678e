"""Migrating the database for the CLI, in a module of its own.

``serve`` migrates in a child process (``migrate_in_child``): what the migrations import (Alembic,
Mako, the revision modules) would otherwise stay resident in the server for its whole life. The child
is ``python -m gateway.migrate``, which imports this module and what the migrations need alone: a
``multiprocessing`` spawn child also runs the parent's main module, the ``crm-gateway`` script, so it
imported the whole CLI (the seed, API keys, auth) before migrating.
"""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from gateway.backends.sql.migrate import upgrade

PROBE_TIMEOUT_SECONDS = 10  # how long the CLI waits for the database to answer at all


def upgrade_or_reason(url: str) -> str | None:
    """Migrates the database to the latest revision; why it could not, or None (a plain string, so
    that a child process hands it back whatever the error's class)."""
    from alembic.util import CommandError as AlembicError

    try:
        upgrade(url)
    except (SQLAlchemyError, AlembicError, OSError) as error:
        return database_reason(error, url)
    return None


def migrate_in_child(url: str) -> str | None:
    """``upgrade_or_reason`` in a child process. The URL goes through stdin: a password in the
    arguments would show in process listings. ``-P``: the working directory is not searched first, so
    a ``gateway`` folder there cannot stand in for the package."""
    done = subprocess.run(
        [sys.executable, "-P", "-m", "gateway.migrate"],
        input=url,
        stdout=subprocess.PIPE,  # the answer; the child's log goes to this process's stderr
        text=True,
        check=False,
    )
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        return "the migration process ended before it finished"
    reason = answer.get("reason")
    return reason if isinstance(reason, str) else None


def database_reason(error: BaseException, url: str) -> str:
    """The driver's own message, first line only, with the password blanked out if it appears."""
    if isinstance(error, TimeoutError):
        return f"no answer within {PROBE_TIMEOUT_SECONDS} s"
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    text = lines[0] if lines else type(cause).__name__
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    return text.replace(str(password), "***") if password else text


def main() -> None:
    """The child of ``migrate_in_child``: the URL on stdin, ``{"reason": ... | null}`` on stdout."""
    print(json.dumps({"reason": upgrade_or_reason(sys.stdin.read())}))


if __name__ == "__main__":
    main()
