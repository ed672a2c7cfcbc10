"""The layer build command, without downloading anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.build_layer import PLATFORM, pip_command, runtime_requirements

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("cdk")]


def test_runtime_requirements_come_from_pyproject_without_boto3(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["boto3>=1", "pydantic>=2", "pyjwt[crypto]>=2.13", "botocore"]\n'
    )
    assert runtime_requirements(pyproject) == ["pydantic>=2", "pyjwt[crypto]>=2.13"]


def test_the_real_pyproject_ships_the_handlers_dependencies() -> None:
    names = " ".join(runtime_requirements())
    for package in ("aws-lambda-powertools", "pynamodb", "pydantic", "pyjwt"):
        assert package in names
    assert "boto3" not in names


def test_pip_installs_only_wheels_for_lambda_arm64_python_312(tmp_path: Path) -> None:
    command = pip_command(["pydantic>=2"], tmp_path)
    assert command[command.index("--platform") + 1] == PLATFORM == "manylinux2014_aarch64"
    assert command[command.index("--python-version") + 1] == "3.12"
    assert command[command.index("--implementation") + 1] == "cp"
    assert "--only-binary=:all:" in command
    assert command[command.index("--target") + 1] == str(tmp_path)
