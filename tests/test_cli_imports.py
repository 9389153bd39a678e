"""``crm-gateway`` imports what a command needs when it runs: ``--help``, a usage error or ``token``
load neither SQLAlchemy nor Strawberry (about 0.9 s of CPU at every start, 0.05 without), and every
process the CLI starts pays for its imports again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from conftest import SECRET

HEAVY = ("sqlalchemy", "strawberry", "graphql", "starlette", "uvicorn", "alembic", "resolvers")

SETTINGS = {"CRM_GATEWAY_JWT_SECRET": SECRET}
# Runs the command in a fresh interpreter, then prints which of HEAVY it loaded.
PROBE = """
import json, sys
from gateway.cli import main
status = main(sys.argv[1:])
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.stdin.readline())))
print(json.dumps({"status": status, "loaded": loaded}))
"""


def loaded_by(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        input=json.dumps(HEAVY) + "\n",
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("CRM_GATEWAY_")}, **SETTINGS},
        check=False,
        timeout=60,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    answer: dict[str, Any] = json.loads(lines[-1])
    return answer


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--help"], 0),
        (["serve", "--help"], 0),
        (["token", "--sub", "ann", "--tenant", "demo", "--permission", "CRM_ALL"], 0),
        (["token", "--sub", "ann", "--tenant", "not a tenant"], 2),  # refused by the argument's type
        (["token", "--sub", "ann", "--tenant", "demo", "--permission", "CRM_AL"], 2),  # unknown name
        (["no-such-command"], 2),
    ],
)
def test_light_commands_import_neither_sqlalchemy_nor_strawberry(args: list[str], status: int) -> None:
    assert loaded_by(*args) == {"status": status, "loaded": []}


def test_the_probe_sees_what_a_command_imports() -> None:
    # export-schema needs the schema: the same probe reports it, so an empty list above means something.
    answer = loaded_by("export-schema")
    assert answer["status"] == 0
    assert {"strawberry", "graphql", "resolvers"} <= set(answer["loaded"])
