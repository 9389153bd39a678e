"""The design's dependency direction, checked on the source: resolvers and loaders reach data only
through the backend protocols, never through a concrete backend, SQLAlchemy or httpx."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
CONCRETE = ("gateway.backends.sql", "gateway.backends.rest", "sqlalchemy", "httpx")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (a function-level import counts as well)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def offending_imports(paths: list[Path], names: tuple[str, ...], root: Path = SRC) -> dict[str, list[str]]:
    """Per file (relative to ``root``), the modules it imports from any of ``names`` (or below them)."""
    offenders: dict[str, list[str]] = {}
    for path in paths:
        bad = sorted(
            module
            for module in imported_modules(path)
            if any(module == name or module.startswith(name + ".") for name in names)
        )
        if bad:
            offenders[str(path.relative_to(root))] = bad
    return offenders


def concrete_imports(package: str) -> dict[str, list[str]]:
    return offending_imports(sorted((SRC / package).rglob("*.py")), CONCRETE)


@pytest.mark.parametrize("package", ["resolvers", "loaders"])
def test_no_module_imports_a_concrete_backend(package: str) -> None:
    assert list((SRC / package).rglob("*.py")), f"no modules found under src/{package}"
    assert concrete_imports(package) == {}


def test_the_check_sees_imports_at_any_depth(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from gateway.backends.rest.akixi import AkixiApi\n    import httpx\n")
    assert {"gateway.backends.rest.akixi", "httpx"} <= imported_modules(module)


# The gateway is the layer below: nothing of it imports the resolvers or the loaders (the global-id and
# cursor codecs the planner's statement computes too live in ``gateway.globalids``/``gateway.cursors``),
# but for the composition root that assembles the app (the design: "only the app and the HTTP view
# import the schema") and one exception, each with its reason.
UPPER_LAYERS = ("resolvers", "loaders")
GATEWAY_IMPORTS_ALLOWED = {
    "gateway/http.py": "the HTTP view: serves the schema with a Loaders object per request",
    "gateway/context.py": "the request context holds the request's Loaders",
    "gateway/cli.py": "export-schema prints the schema",
    "gateway/budget.py": "the upstream budget maps a node id's type name to its entity (NODE_TYPES)",
}


def test_the_gateway_imports_nothing_of_the_resolvers_or_loaders() -> None:
    found = offending_imports(sorted((SRC / "gateway").rglob("*.py")), UPPER_LAYERS)
    assert {path: modules for path, modules in found.items() if path not in GATEWAY_IMPORTS_ALLOWED} == {}
    assert set(found) == set(GATEWAY_IMPORTS_ALLOWED), "an allowed import that went: drop its entry"


# The simulators are second, independent readings of the seeds: a simulator that imported the gateway's
# tables, settings or id helpers would agree with the connector by construction and prove nothing.
GATEWAY_PARTS = ("gateway", "loaders", "resolvers")
# Every simulator package is a seed-literal service (issue 20).
INDEPENDENT_SIMULATORS = ["conecrm", "crmcom", "akixi"]


def gateway_imports(paths: list[Path], root: Path = SRC) -> dict[str, list[str]]:
    return offending_imports(paths, GATEWAY_PARTS, root)


@pytest.mark.parametrize("package", INDEPENDENT_SIMULATORS)
def test_simulators_import_nothing_of_the_gateway(package: str) -> None:
    shared = sorted((SRC / "simulators").glob("*.py"))  # registry, faults: used by every simulator
    modules = sorted((SRC / "simulators" / package).rglob("*.py"))
    assert modules, f"no modules found under src/simulators/{package}"
    assert gateway_imports(shared + modules) == {}


def test_the_simulator_check_sees_gateway_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import json\n\ndef f():\n    from gateway.ids import uuid7\n")
    assert gateway_imports([module], tmp_path) == {"m.py": ["gateway.ids", "gateway.ids.uuid7"]}
