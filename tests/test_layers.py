"""The folder layout is the data flow, and nothing imports upward.

Each package may import only the floors listed for it here: the foundation (settings, wire schemas
and codec, contracts) lies below everything; a stage imports what it hands data to, never what
feeds it. The CLI (`finops`), `tools/` and `bench/` sit on top and may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FOUNDATION = {"common", "schemas", "contracts"}
ALLOWED: dict[str, set[str]] = {
    "common": set(),
    "schemas": {"common"},
    "contracts": {"common", "schemas"},
    "checks": FOUNDATION,
    "producers": FOUNDATION | {"checks"},
    "estate": FOUNDATION,  # its ground truth is its own: never the checks' code
    "sinks": FOUNDATION,
    "streams": FOUNDATION | {"sinks"},
    "jobs": FOUNDATION | {"sinks"},
    "web": FOUNDATION,
    "notify": FOUNDATION,  # reads the events topic only
}
PACKAGES = set(ALLOWED) | {"finops", "tools", "bench"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _violations(package: str) -> list[str]:
    allowed = ALLOWED[package] | {package}
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top in PACKAGES and top not in allowed:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_package_imports_a_floor_above_it(package: str) -> None:
    assert _violations(package) == []


def test_every_package_has_a_floor() -> None:
    """A new top-level package must be placed in the table above, not slip past the rule."""
    tops = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert tops - PACKAGES == set()


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from producers.scanner import Scanner\nimport streams.app\n")
    assert [m for _, m in _imports(module)] == ["producers.scanner", "streams.app"]
