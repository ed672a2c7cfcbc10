"""The domain layer's folders are its map: packages import each other in one direction only.

Every import in ``layers/common/oshi`` (lazy ones inside functions too) is read from the source with
``ast``, folded to its package (``oshi.commerce.orders`` -> ``commerce``), and checked against the
layering below. A package may import itself and any package listed before it, never one after it, so
there can be no cycle between packages and the domain never imports the HTTP layer (``web``).
"""

from __future__ import annotations

import ast
from pathlib import Path

OSHI = Path(__file__).resolve().parents[2] / "layers" / "common" / "oshi"

# Lowest first. Adding a package: put it after everything it needs (docs/contributing.md).
LAYERS = (
    "kernel",  # settings, clock, ids, errors, observability, aws, txn, batch reads, cursors, idempotency
    "models",  # table schemas (PynamoDB): CDK, the local stack and tests derive tables from them
    "audit",  # the hash-chained audit log
    "events",  # every event on the bus: detail type, payload model, producer
    "mail",  # mail templates (JA/EN), the SES outbox, the suppression list
    "identity",  # users, passwords, MFA, tokens, sessions, Role/Caller
    "draw",  # draw engine, rates, provably-fair derivation and store
    "catalogue",  # VTubers, uploads, line-ups, the public storefront, moderation
    "rewards",  # reward box, medals, queries, downloads, exchange
    "commerce",  # orders, spending, payments, webhooks, refunds, reconciliation, sales
    "fulfilment",  # the draw of a paid order, notifications
    "web",  # HTTP: routes, access, handler builder, OpenAPI, rate limits, topology
)


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "oshi" or len(parts) < 2:
        return None
    return parts[1]


def imports_of(path: Path) -> set[str]:
    """Every oshi module ``path`` imports, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from oshi import kernel`` names a package directly
            if node.module == "oshi":
                found.update(f"oshi.{alias.name}" for alias in node.names)
    return {name for name in found if name == "oshi" or name.startswith("oshi.")}


def package_edges() -> dict[tuple[str, str], list[str]]:
    """(importer package, imported package) -> the files that make the arrow."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(OSHI.rglob("*.py")):
        relative = path.relative_to(OSHI)
        if len(relative.parts) < 2:
            continue  # oshi/__init__.py
        source = relative.parts[0]
        for module in imports_of(path):
            target = package_of(module)
            if target and target != source:
                edges.setdefault((source, target), []).append(str(relative))
    return edges


def test_every_package_is_declared_and_nothing_lies_at_the_top():
    packages = {p.name for p in OSHI.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS), "declare new packages in LAYERS (and docs/contributing.md)"
    loose = sorted(p.name for p in OSHI.glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"every module belongs to a package: {loose}"


def test_packages_import_only_the_layers_beneath_them():
    rank = {name: index for index, name in enumerate(LAYERS)}
    upward = {
        f"{source} -> {target}": files
        for (source, target), files in package_edges().items()
        if rank[target] > rank[source]
    }
    assert upward == {}


def test_the_domain_never_imports_the_http_layer():
    offenders = {
        f"{source} -> web": files for (source, target), files in package_edges().items() if target == "web"
    }
    assert offenders == {}


def test_the_check_sees_lazy_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from oshi.web import routes\n    import oshi.kernel.clock\n")
    assert imports_of(sample) == {"oshi.web", "oshi.kernel.clock"}
