"""What ``pip install .`` ships: every package under searcher/, the licence, its metadata."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the build itself needs no test on 3.10


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def package_folders() -> set[str]:
    """Every folder under searcher/ with an __init__.py, as a dotted package name."""
    return {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "searcher").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_package_folders_are_found():
    """Packages are found, not listed: a new subpackage cannot be left out of the wheel."""
    from setuptools import find_packages

    config = pyproject()["tool"]["setuptools"]
    assert "packages" not in config or isinstance(config["packages"], dict), (
        "list packages with [tool.setuptools.packages.find], not a hard-coded list"
    )
    find = config["packages"]["find"]
    found = set(find_packages(where=str(REPO / find.get("where", [""])[0]), include=find["include"], exclude=find.get("exclude", ())))
    assert "searcher.ingest" in found
    assert found == package_folders()


def test_licence_is_declared():
    project = pyproject()["project"]
    assert project["license"] == "GPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("GNU GENERAL PUBLIC LICENSE")


@pytest.mark.slow
def test_wheel_holds_every_module(tmp_path):
    """Build the wheel offline from a copy of the sources; it holds every module, the licence and its expression."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "searcher", source / "searcher", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [wheel] = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    modules = {path.relative_to(REPO).as_posix() for path in (REPO / "searcher").rglob("*.py") if "__pycache__" not in path.parts}
    assert modules - names == set(), "modules missing from the wheel"
    assert {package.replace(".", "/") + "/__init__.py" for package in package_folders()} <= names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert "License-Expression: GPL-3.0-or-later" in metadata.splitlines()
