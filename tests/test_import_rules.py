"""The import rules of docs/architecture.md, read from the source: who may import what."""

from __future__ import annotations

import ast
import sys

import pytest

from .conftest import REPO

PACKAGE = REPO / "searcher"

#: Third-party packages (top-level import names) and the only modules that may import them.
OWNERS = {
    "click": {"searcher.cli"},
    "tabulate": {"searcher.output"},
    "matplotlib": {"searcher.plot"},
    "bidi": {"searcher.display"},
    "arabic_reshaper": {"searcher.display"},
    "pyarabic": {"searcher.normalise"},
    "datasketch": {"searcher.duplicates"},
    "trafilatura": {"searcher.ingest.htmlpage"},
    "warcio": {"searcher.ingest.warc"},
    "brotli": {"searcher.ingest.warc"},
    "wcwidth": {"searcher.textwidth"},
}
#: Pure analysis: the package's modules it may import (nothing above it, no engine).
PURE = {
    "searcher.tokenize": set(),
    "searcher.normalise": set(),
    "searcher.stem": set(),
    "searcher.terms": {"searcher.normalise", "searcher.stem", "searcher.tokenize"},
    "searcher.function_words": {"searcher.terms"},
    "searcher.models": set(),
    "searcher.errors": set(),
}


def module_name(path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (in functions too), as absolute dotted names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
                if node.module:
                    found.add(stem)
                else:
                    found.update(f"{stem}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


MODULES = {module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))}


def test_the_scan_sees_relative_and_deferred_imports():
    assert "searcher.terms" in MODULES["searcher.analysis"]  # from .terms import ...
    assert "searcher.query" in MODULES["searcher.cli"]  # inside a command
    assert "click" in MODULES["searcher.cli"]


def test_nothing_imports_the_cli():
    importers = {m for m, imported in MODULES.items() if "searcher.cli" in imported}
    assert importers <= {"searcher.__main__"}, "docs/architecture.md, import rule 1"


@pytest.mark.parametrize("dependency", sorted(OWNERS))
def test_one_owner_per_dependency(dependency):
    users = {m for m, imported in MODULES.items() if any(i.split(".")[0] == dependency for i in imported)}
    assert users <= OWNERS[dependency], f"docs/architecture.md, import rule 2: {dependency} imported by {users}"


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_import_only_below_them(module):
    imported = MODULES[module]
    own = {i for i in imported if i.startswith("searcher")}
    assert own <= PURE[module], f"docs/architecture.md, import rule 3/4: {module} imports {own - PURE[module]}"
    third_party = {i.split(".")[0] for i in imported if not i.startswith("searcher")}
    third_party -= set(sys.stdlib_module_names) | {"__future__"}
    assert third_party <= ({"pyarabic"} if module == "searcher.normalise" else set())
