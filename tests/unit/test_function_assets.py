"""Each Lambda ships only its own ``functions/<service>`` folder (``infra.constructs.functions.asset_excludes``)
plus the layer, so a handler importing another service's module would fail to start on AWS, while the local
stack and the tests (which see every folder) would not notice. Shared code belongs in the layer."""

from __future__ import annotations

import ast
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
SERVICES = {p.name for p in FUNCTIONS.iterdir() if (p / "__init__.py").exists()}


def imported_services(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & SERVICES


def test_handlers_import_no_other_service() -> None:
    crossing = {
        str(path.relative_to(FUNCTIONS)): sorted(imported_services(path) - {path.parent.name})
        for path in sorted(FUNCTIONS.glob("*/*.py"))
        if imported_services(path) - {path.parent.name}
    }
    assert crossing == {}
