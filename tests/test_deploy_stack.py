"""The deployable stack (Dockerfile, compose.yaml, deploy/) refers to things that exist.

No container engine runs here, so nothing is built or started: the files are read and their references
checked against the code (settings, CLI commands, ports, the proxy's upstreams, the mounted files).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli import build_parser
from gateway.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GATEWAY_IMAGE = "crm-graph-gateway:local"
REPLICAS = ("gateway-1", "gateway-2")
SETTING_NAMES = {f"CRM_GATEWAY_{name.upper()}" for name in Settings.model_fields}


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return compose["services"]  # type: ignore[no-any-return]


def _dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Each stage of the Dockerfile as (INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, rest = line.strip().split(None, 1)
        if name.upper() == "FROM":
            stages.append([])
        stages[-1].append((name.upper(), rest))
    return stages


def _parses_as_cli(command: list[str]) -> Any:
    assert command[0] == "crm-gateway"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "crm-gateway" in scripts
    return build_parser().parse_args(command[1:])  # exits (SystemExit) on an unknown command or option


def _nginx() -> str:
    return (ROOT / "deploy/nginx/gateway.conf").read_text()


def test_the_image_runs_serve_on_all_interfaces_as_a_user_that_is_not_root() -> None:
    values = dict(_dockerfile_stages()[-1])
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", values["FROM"])
    assert values["USER"] not in ("root", "0")
    command = json.loads(values["CMD"])
    arguments = _parses_as_cli(command)
    assert (arguments.command, arguments.host, arguments.port) == ("serve", "0.0.0.0", 8000)
    assert values["EXPOSE"] == "8000"
    assert "/healthz" in values["HEALTHCHECK"]
    environment = re.findall(r"(CRM_GATEWAY_\w+)=", values["ENV"])
    assert set(environment) <= SETTING_NAMES


def test_the_image_is_built_from_the_repository_and_sends_it_only_what_it_installs() -> None:
    build, final = _dockerfile_stages()
    assert [rest for name, rest in build if name == "COPY"] == ["pyproject.toml README.md ./", "src ./src"]
    assert [rest for name, rest in final if name == "COPY"] == ["--from=build /wheels /wheels"]
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "var", "tests"} <= ignored
    assert not {"src", "pyproject.toml", "README.md"} & ignored


def test_every_gateway_service_uses_the_image_built_here(services: dict[str, Any]) -> None:
    built = {name for name, service in services.items() if "build" in service}
    assert built == {"migrate", *REPLICAS}
    for name in built:
        assert services[name]["image"] == GATEWAY_IMAGE
        assert (ROOT / services[name]["build"]["context"] / services[name]["build"]["dockerfile"]).is_file()
    for name in set(services) - built:  # third-party images are pinned to a version
        image = services[name]["image"]
        assert re.fullmatch(r"[\w./-]+:\d[\w.-]*", image), image


def test_every_gateway_setting_the_stack_names_is_a_real_setting() -> None:
    used = set(re.findall(r"CRM_GATEWAY_\w+", (ROOT / "compose.yaml").read_text()))
    assert used
    assert used <= SETTING_NAMES, used - SETTING_NAMES


def test_migrations_run_once_as_the_owner_before_the_replicas_start(services: dict[str, Any]) -> None:
    migrate = services["migrate"]
    arguments = _parses_as_cli(migrate["command"])
    assert (arguments.command, arguments.action) == ("db", "upgrade")
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    owner = services["postgres"]["environment"]["POSTGRES_USER"]
    assert f"//{owner}:" in migrate["environment"]["CRM_GATEWAY_DATABASE_URL"]
    for name in REPLICAS:
        replica = services[name]
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "command" not in replica  # the image's CMD: serve
        assert replica["environment"]["CRM_GATEWAY_ENV"] == "production"


def test_the_replicas_connect_as_the_role_the_init_script_creates(services: dict[str, Any]) -> None:
    script = services["postgres"]["volumes"][1].split(":")[0]
    created = re.search(r"CREATE ROLE (\w+) LOGIN NOSUPERUSER NOBYPASSRLS", (ROOT / script).read_text())
    assert created is not None
    for name in REPLICAS:
        url = services[name]["environment"]["CRM_GATEWAY_DATABASE_URL"]
        assert url.startswith(f"postgresql+asyncpg://{created[1]}:")
        assert "@postgres:5432/crm" in url
        assert services[name]["environment"]["CRM_GATEWAY_REDIS_URL"].startswith("redis://redis:6379/")


def test_the_proxy_sends_to_each_replica_on_the_port_it_serves(services: dict[str, Any]) -> None:
    upstreams = re.findall(r"^\s*server\s+([\w.-]+):(\d+);", _nginx(), re.MULTILINE)
    assert sorted(host for host, _ in upstreams) == sorted(REPLICAS)
    serve_port = json.loads(dict(_dockerfile_stages()[-1])["CMD"])[-1]
    for name in REPLICAS:
        assert services[name]["environment"]["CRM_GATEWAY_PORT"] == serve_port
    assert {port for _, port in upstreams} == {serve_port}
    assert set(services["proxy"]["depends_on"]) == set(REPLICAS)


def test_the_proxy_publishes_the_port_it_listens_on_and_passes_websockets(services: dict[str, Any]) -> None:
    proxy = services["proxy"]
    listen = re.search(r"^\s*listen\s+(\d+);", _nginx(), re.MULTILINE)
    assert listen is not None
    assert [port.rsplit(":", 1)[1] for port in proxy["ports"]] == [listen[1]]
    assert "proxy_set_header Upgrade $http_upgrade;" in _nginx()
    assert "proxy_set_header Connection $connection_upgrade;" in _nginx()
    assert "proxy_http_version 1.1;" in _nginx()


def test_every_file_the_stack_mounts_is_in_the_repository(services: dict[str, Any]) -> None:
    mounted = [
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
        if volume.startswith("./")
    ]
    assert mounted
    for path in mounted:
        assert (ROOT / path).is_file(), path
