"""What an index folder holds beside the engine's files: the analysis that built it.

Both the indexer and the query side read it, so it lives apart from either
(``search query`` should not import the writing code just to check a version).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import TOC

from .durable import write_atomic
from .errors import IndexNotFound, IndexUnsafe, IndexVersionMismatch
from .integrity import check_sizes, read_small_json
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
    """True when ``index_dir`` holds an index (of any version, maybe damaged): a table of contents.

    Only the names are listed, nothing is opened or unpickled: a commit that
    replaces the table of contents meanwhile cannot make an index look missing.
    """
    path = Path(index_dir)
    if not path.is_dir():
        return False
    pattern = TOC._pattern(INDEX_NAME)
    try:
        return any(pattern.match(name) for name in os.listdir(path))
    except OSError:
        return whoosh_index.exists_in(str(path))


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
    check_permissions(path)
    try:
        meta = read_small_json(path / META_FILE)
    except FileNotFoundError:
        meta = None
    try:
        built_with = int(meta["analyzer_version"])
        format_version = int(meta.get("format_version", 1))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
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
    check_sizes(path)


def check_permissions(index_dir: str | Path) -> None:
    """Refuse an index that other users can change: its files are unpickled, which can run code.

    The folder and its files must not be writable by everyone (the ``o+w``
    bit); a folder with the sticky bit is still refused (anyone may add files).
    """
    path = Path(index_dir)
    try:
        entries = [path, *(path / name for name in os.listdir(path))]
    except OSError:
        return  # unreadable: opening it reports that
    for entry in entries:
        try:
            info = entry.lstat()
        except OSError:
            continue
        if info.st_mode & stat.S_IWOTH and not stat.S_ISLNK(info.st_mode):
            what = f"{entry}/" if entry == path else str(entry)
            raise IndexUnsafe(
                f"{what} is writable by every user (mode {stat.S_IMODE(info.st_mode):04o}): anyone could "
                "plant a file that runs code when the index is opened",
                hint=f"If you trust its contents: chmod -R o-w {path}",
            )
