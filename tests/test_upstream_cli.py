"""The command line: ``serve`` refuses a bad routing file before starting, ``simulate`` serves a
registered simulator over real HTTP."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from conftest import SECRET
from gateway.cli import main
from servers import free_port

LITERAL_SECRET = "literal-secret-in-the-file"


@pytest.mark.parametrize(
    ("routes", "expected"),
    [
        ('Contact = "nowhere"', "[routes] names 'nowhere', which is neither 'sql'"),
        ('Contact = "cone"\nCampaign = "sql"', "[routes] 'Campaign' is not an entity"),
    ],
)
def test_serve_refuses_a_bad_routing_file(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    routes: str,
    expected: str,
) -> None:
    path = tmp_path / "backends.toml"
    path.write_text(
        f'[routes]\n{routes}\n[upstreams.cone]\nkind = "conecrm"\nbase_url = "http://127.0.0.1:9"\n'
        f'system_name = "ConeCRM"\ncredentials = {{ token = "{LITERAL_SECRET}" }}\n'
    )
    monkeypatch.setenv("CRM_GATEWAY_JWT_SECRET", SECRET)
    monkeypatch.setenv("CRM_GATEWAY_BACKENDS", str(path))

    status = main(["serve", "--database-url", sqlite_url, "--port", str(free_port())])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"crm-gateway: CRM_GATEWAY_BACKENDS: {path}: ") and expected in err
    assert LITERAL_SECRET not in err


def test_simulate_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "no_such_vendor", "--port", str(free_port())]) == 2
    assert "no simulator named 'no_such_vendor'; available:" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--database-url", "--database"])
def test_simulate_serves_a_registered_simulator(tmp_path: Path, option: str) -> None:
    """``--database-url``, as every command names it; ``--database``, its first name, still works, with a
    warning."""
    port = free_port()
    # A registration the way a vendor package makes it, then the command, in a process of its own.
    script = textwrap.dedent(
        f"""
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        from gateway.cli import main
        from simulators.faults import FaultMiddleware, Faults
        from simulators.registry import register

        @register("echo")
        def create(database):
            async def hello(request):
                return JSONResponse({{"database": database}})
            return FaultMiddleware(Starlette(routes=[Route("/hello", hello)]), Faults())

        raise SystemExit(main(["simulate", "echo", "--port", "{port}", "{option}", "memory://x"]))
        """
    )
    log = tmp_path / "simulate.log"
    with (
        log.open("w") as output,
        subprocess.Popen([sys.executable, "-c", script], stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        try:
            body = _get_when_up(f"http://127.0.0.1:{port}/hello", process, log)
            faults = httpx.post(
                f"http://127.0.0.1:{port}/_simulator/faults", json={"fail_status": 503}
            ).json()
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert body == {"database": "memory://x"}
    assert faults["fail_status"] == 503
    assert f"simulator echo: http://127.0.0.1:{port}" in log.read_text()
    deprecated = "--database is deprecated; use --database-url" in log.read_text()
    assert deprecated == (option == "--database")


def _get_when_up(url: str, process: subprocess.Popen[bytes], log: Path) -> object:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"simulate exited: {log.read_text()}")
        try:
            return httpx.get(url, timeout=1).json()
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the simulator did not answer within 60 s")


@pytest.mark.parametrize(
    ("name", "profiles"),
    [("conecrm", ("lists", "objects")), ("crmcom", ("nulls", "sparse")), ("akixi", ("literal", "textual"))],
)
def test_simulate_takes_each_simulators_profile(
    name: str, profiles: tuple[str, ...], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--profile`` picks the simulator's reading of its seed; an unknown one is refused, naming those
    there are, before anything listens."""
    from simulators.registry import simulator

    monkeypatch.setenv("CRM_GATEWAY_JWT_SECRET", SECRET)
    for profile in profiles:
        app = simulator(name)(None, profile)
        chosen = app.app.state.simulator.profile if name == "akixi" else app.profile  # type: ignore[attr-defined]
        assert chosen.name == profile
    assert main(["simulate", name, "--port", str(free_port()), "--profile", "no_such"]) == 2
    err = capsys.readouterr().err
    assert f"no {name} simulator profile 'no_such'; profiles: {', '.join(profiles)}" in err
    assert "http://" not in capsys.readouterr().out
