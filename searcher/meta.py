"""What an index folder holds beside the engine's files: the analysis that built it.

Both the indexer and the query side read it, so it lives apart from either
(``search query`` should not import the writing code just to check a version).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh import index as whoosh_index

from .durable import write_atomic
from .errors import IndexNotFound, IndexVersionMismatch
from .terms import ANALYZER_VERSION

#: Whoosh's name for the one index in a folder (as ``searcher.storage.INDEX_NAME``).
INDEX_NAME = "MAIN"
#: Written beside the engine's files: what built the index.
META_FILE = "searcher.json"
#: Bump whenever the files an index is made of change shape (segment layout,
#: posting values, stored fields), whatever the analysis. v2: segments built by
#: ``searcher.segments`` (not compound, 2-byte positions). Indexes without the
#: key are v1.
FORMAT_VERSION = 2


def index_exists(index_dir: str | Path) -> bool:
    """True when ``index_dir`` holds an index (of any version): a table of contents.

    Only the names are listed, nothing is opened: a commit that replaces the
    table of contents meanwhile cannot make an index look missing.
    """
    path = Path(index_dir)
    if not path.is_dir():
        return False
    pattern = whoosh_index.TOC._pattern(INDEX_NAME)
    return any(pattern.match(name) for name in os.listdir(path))


def _shown(path: Path) -> str:
    """A folder as given, with the absolute path it resolved to when that differs."""
    absolute = path.absolute()
    return f"{path}/" if str(absolute) == str(path) else f"{path}/ ({absolute}/)"


def write_meta(index_dir: Path) -> None:
    """Record this version's analysis in ``index_dir``, atomically."""
    meta = {"analyzer_version": ANALYZER_VERSION, "format_version": FORMAT_VERSION, "engine": "whoosh"}
    write_atomic(index_dir / META_FILE, (json.dumps(meta) + "\n").encode("utf-8"))


def check_version(index_dir: str | Path) -> None:
    """Raise unless the index at ``index_dir`` was built by this analysis version."""
    path = Path(index_dir)
    if not index_exists(path):
        raise IndexNotFound(f"no index at {_shown(path)}")
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        built_with = int(meta["analyzer_version"])
        format_version = int(meta.get("format_version", 1))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise IndexVersionMismatch(
            f"{path}/ was not built by this version of search (no readable {META_FILE})"
        ) from None
    if built_with != ANALYZER_VERSION:
        raise IndexVersionMismatch(
            f"index built with analyzer v{built_with}; this version uses v{ANALYZER_VERSION}"
        )
    if format_version != FORMAT_VERSION:
        raise IndexVersionMismatch(
            f"index written in format v{format_version}; this version uses v{FORMAT_VERSION}"
        )
