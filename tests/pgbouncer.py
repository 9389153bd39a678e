"""PgBouncer in transaction pooling mode, on a free port in front of the test PostgreSQL server.

Debian's ``pgbouncer`` package (``.ci/run`` installs it). PgBouncer refuses to run as root, so as root
it is started with ``-u nobody``: it reads its files first, then drops to that user.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from servers import free_port, listening_process

# Debian installs it in /usr/sbin, which is not on every user's PATH.
PGBOUNCER = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")


def require_pgbouncer() -> None:
    """Skip the test when PgBouncer is not installed; fail it instead when services are required (CI)."""
    if PGBOUNCER is not None:
        return
    reason = "pgbouncer is not installed (apt-get install pgbouncer; .ci/run installs it)"
    if os.environ.get("CRM_GATEWAY_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@contextmanager
def pgbouncer(postgres_url: str, users: Iterable[str], folder: Path, pool_size: int = 10) -> Iterator[int]:
    """PgBouncer (transaction mode) before the server of ``postgres_url``, any database; yields its port.

    ``users`` may log in (trust: the server behind it decides). ``pool_size`` server connections per
    database and user: with 1, every client's transactions share one server connection, so state a
    transaction leaves behind (a prepared statement, a setting) meets the next client's at once.
    """
    require_pgbouncer()
    assert PGBOUNCER is not None
    target = make_url(postgres_url)
    port = free_port()
    config = _write_config(folder, target.host or "127.0.0.1", target.port or 5432, port, pool_size, users)
    command = [PGBOUNCER, str(config), *(["-u", "nobody"] if os.geteuid() == 0 else [])]
    with listening_process(command, port, folder / "pgbouncer.log"):
        yield port


def through(postgres_url: str, port: int) -> str:
    """``postgres_url`` with its host and port those of the PgBouncer on ``port``."""
    url = make_url(postgres_url).set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


def _write_config(
    folder: Path, host: str, server_port: int, port: int, pool_size: int, users: Iterable[str]
) -> Path:
    auth_file = folder / "users.txt"
    auth_file.write_text("".join(f'"{user}" ""\n' for user in users))
    config = folder / "pgbouncer.ini"
    config.write_text(
        f"[databases]\n* = host={host} port={server_port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {auth_file}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmax_client_conn = 500\n"
    )
    return config
