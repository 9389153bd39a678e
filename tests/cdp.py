"""Headless Chromium driven over the Chrome DevTools Protocol, for tests that need a real browser.

Only what those tests use: open a page, evaluate JavaScript, wait for a condition, and record every
URL the page requested and every error it reported. Sites other than 127.0.0.1 resolve to nothing, so
the page sees no internet whatever the machine has.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--remote-debugging-port=0",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    # No internet for the page: every name but the loopback address fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


class Page:
    """One browser tab: commands in, events recorded."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.requested: list[str] = []
        self.errors: list[str] = []
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        answer = self._waiting[number] = asyncio.get_running_loop().create_future()
        await self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        reply = await asyncio.wait_for(answer, timeout=60)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})  # type: ignore[no-any-return]

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 120) -> Any:
        """Polls ``expression`` until truthy: a generous deadline for a loaded machine, no fixed sleep."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s: {expression}; page errors: {self.errors}")
            await asyncio.sleep(0.25)

    async def _read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message:
                future = self._waiting.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            else:
                self._record(message["method"], message.get("params", {}))

    def _record(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requested.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            self.errors.append(str(params["exceptionDetails"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])
        elif method == "Runtime.consoleAPICalled" and params["type"] == "error":
            self.errors.append(
                " ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"])
            )

    async def close(self) -> None:
        self._reader.cancel()
        await self.socket.close()


@asynccontextmanager
async def browser_page(executable: str) -> AsyncIterator[Page]:
    """A fresh headless Chromium (its own profile) and one tab recording network and errors."""
    # Chromium's helper processes (crash handler, GPU, renderers) may still write into the profile for
    # a moment after the browser exits: the whole process group is stopped, and a file written after
    # that does not fail the test (the profile is thrown away).
    with tempfile.TemporaryDirectory(prefix="cdp-", ignore_cleanup_errors=True) as profile:
        command = [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            port = await _debugging_port(Path(profile), process)
            target = await _page_target(port)
            async with connect(target, max_size=None, open_timeout=60) as socket:
                page = Page(socket)
                for domain in ("Network", "Runtime", "Log", "Page"):
                    await page.send(f"{domain}.enable")
                try:
                    yield page
                finally:
                    await page.close()
        finally:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()


def _signal_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    """Signals the browser and every process it started (its own session: ``start_new_session``)."""
    with suppress(ProcessLookupError):  # all of them gone already
        os.killpg(process.pid, signal_number)


async def _debugging_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """Chromium writes the port it chose (``--remote-debugging-port=0``) into the profile."""
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chromium exited with {process.returncode}")
        lines = active.read_text().splitlines() if active.exists() else []
        if lines and lines[0].isdigit():
            return int(lines[0])
        await asyncio.sleep(0.1)
    raise AssertionError("chromium did not open its debugging port within 60 s")


async def _page_target(port: int) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        targets = (await client.get(f"http://127.0.0.1:{port}/json/list")).json()
    return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
