"""Build the shared Lambda layer into build/layer (run as ``python -m infra.build_layer``; ``make layer``).

The layer holds the runtime dependencies from pyproject.toml ([project].dependencies, minus boto3, which
the Lambda runtime provides) as manylinux aarch64 wheels for CPython 3.12, plus the ``oshi`` package from
layers/common. Lambda unpacks a layer under /opt, and /opt/python is on the runtime's sys.path.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER_DIR = ROOT / "build" / "layer"
PROVIDED_BY_LAMBDA = {"boto3", "botocore"}
PLATFORM = "manylinux2014_aarch64"
PYTHON_VERSION = "3.12"


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The [project].dependencies that the layer must ship (everything but what Lambda provides)."""
    data = tomllib.loads(pyproject.read_text())
    requirements = []
    for requirement in data["project"]["dependencies"]:
        name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].strip().lower()
        if name not in PROVIDED_BY_LAMBDA:
            requirements.append(requirement)
    return requirements


def pip_command(requirements: list[str], target: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "--upgrade",
        "--target",
        str(target),
        *requirements,
    ]


def _prune(site: Path) -> None:
    """Drop files Lambda never needs (caches, the boto3 pulled in transitively, dist metadata is kept)."""
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    for name in ("boto3", "botocore", "s3transfer"):
        shutil.rmtree(site / name, ignore_errors=True)


def build(layer_dir: Path = LAYER_DIR) -> Path:
    site = layer_dir / "python"
    if layer_dir.exists():
        shutil.rmtree(layer_dir)
    site.mkdir(parents=True)
    subprocess.run(pip_command(runtime_requirements(), site), check=True)  # noqa: S603 - fixed argv
    shutil.copytree(
        ROOT / "layers" / "common" / "oshi",
        site / "oshi",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    _prune(site)
    return layer_dir


def main() -> None:
    layer_dir = build()
    size = sum(f.stat().st_size for f in layer_dir.rglob("*") if f.is_file())
    print(f"layer built in {layer_dir.relative_to(ROOT)} ({size / 1_000_000:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
