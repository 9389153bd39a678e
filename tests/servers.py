"""Real servers on 127.0.0.1 for tests: the gateway (``crm-gateway serve`` in a subprocess) and
small Starlette apps run by uvicorn in a thread (e.g. an identity provider's JWKS endpoint)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_documents(folder: Path) -> dict[str, str]:
    """``--demo`` stores its documents' files: in the test's folder, not in the checkout's var/."""
    return {"CRM_GATEWAY_DOCUMENTS_DIR": str(folder / "documents")}


@contextmanager
def gateway_server(folder: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """``crm-gateway serve --demo [args]`` with ``env`` on a free port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--demo", *args]
    log = folder / "server.log"
    base = f"http://127.0.0.1:{port}"
    # Output goes to a file: an unread pipe could fill up and stall the server.
    with (
        log.open("w") as output,
        subprocess.Popen(
            command,
            env={**os.environ, **demo_documents(folder), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        try:
            wait_until_healthy(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def sqlite_gateway(folder: Path, secret: str, **env: str) -> Iterator[str]:
    """``gateway_server`` on a SQLite database of its own in ``folder``, signing with ``secret``."""
    database = f"sqlite+aiosqlite:///{folder / 'gateway.db'}"
    with gateway_server(
        folder, {"CRM_GATEWAY_JWT_SECRET": secret, "CRM_GATEWAY_DATABASE_URL": database, **env}
    ) as base:
        yield base


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    # One client for every poll: ``httpx.get`` builds a client (and its SSL context) each time, ~50 ms
    # of CPU taken from the server starting up beside it.
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=1) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {log.read_text()}")
            try:
                if client.get(f"{base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
    raise AssertionError("server did not become healthy within 60 s")


@contextmanager
def threaded_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the threaded server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once something accepts connections on ``port``; fail with ``log`` if ``process`` exits."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listened on {port} within 30 s: {log.read_text()}")


@contextmanager
def listening_process(command: list[str], port: int, log: Path) -> Iterator[None]:
    """Run ``command`` (its output in ``log``) until the block ends, once it listens on ``port``."""
    with (
        log.open("w") as output,
        subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        try:
            wait_until_listening(port, process, log)
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)
