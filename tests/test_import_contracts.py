"""The apps' layering in pyproject.toml is enforced: `lint-imports` passes on the code as it is
and fails when a module breaks a contract. Each check runs on a copy of the package with one
module planted, so the real tree is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The Python files of shopdesk/ and the pyproject.toml, in a fresh directory."""
    shutil.copytree(
        ROOT / "shopdesk",
        tmp_path / "shopdesk",
        ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "migrations"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, ahead of the installed (editable) shopdesk.
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _plant(project: Path, module: str, source: str) -> None:
    (project / "shopdesk" / Path(*module.split("."))).with_suffix(".py").write_text(source)


def test_the_code_keeps_every_contract(project_copy):
    result = _lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_lower_app_importing_a_higher_one_fails(project_copy):
    _plant(project_copy, "customers.planted", "from shopdesk.jobs import models  # noqa\n")
    result = _lint_imports(project_copy)
    assert result.returncode == 1
    assert "Apps import only apps below them BROKEN" in result.stdout
    assert "shopdesk.customers.planted -> shopdesk.jobs.models" in result.stdout


def test_an_api_module_importing_another_apps_views_fails(project_copy):
    _plant(project_copy, "floor.planted_api", "from shopdesk.jobs.views import pages  # noqa\n")
    result = _lint_imports(project_copy)
    assert result.returncode == 1
    assert "imported only by URL modules and its own views BROKEN" in result.stdout
    assert "shopdesk.floor.planted_api -> shopdesk.jobs.views.pages" in result.stdout


def test_two_apps_of_one_layer_importing_each_other_fails(project_copy):
    # floor may use dispatch's lists; dispatch using the floor as well closes a cycle.
    _plant(project_copy, "dispatch.planted", "from shopdesk.floor import services  # noqa\n")
    result = _lint_imports(project_copy)
    assert result.returncode == 1
    assert "No two apps import each other, even through others BROKEN" in result.stdout


def test_an_app_left_out_of_the_layers_fails(project_copy):
    (project_copy / "shopdesk" / "gadgets").mkdir()
    (project_copy / "shopdesk" / "gadgets" / "__init__.py").write_text("")
    result = _lint_imports(project_copy)
    assert result.returncode == 1
    assert "shopdesk.gadgets" in result.stdout
