"""One line for every failure the CLI did not raise on purpose: full disk, dead worker,
permissions, a damaged index, a bug.

``search`` turns each exception that reaches its error handler into one
``Error:`` line (exit 2) with :func:`describe`; ``--traceback`` shows the
Python traceback instead.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from .errors import SearcherError, SegmentBuildFailed


def _chain(error: BaseException):
    """The error and the ones it was raised from or while handling, most recent first."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(error, sqlite3.Error) and "disk is full" in str(error):
        return True
    if isinstance(error, SegmentBuildFailed) and ("[Errno 28]" in error.reason or "disk is full" in error.reason):
        return True
    return False


def _where(error: OSError) -> str:
    return f" ({error.filename})" if getattr(error, "filename", None) else ""


def describe(error: BaseException, index_dir: str | Path | None, command: str | None = None) -> SearcherError:
    """The :class:`SearcherError` (one line, with a hint) to report for an unexpected ``error``."""
    folder = f"{index_dir}/" if index_dir is not None else "the index"
    chain = list(_chain(error))
    if any(_disk_full(item) for item in chain):
        if command == "index":
            return SearcherError(
                f"no space left on the device of {folder}: this run stopped; the index keeps what was committed before",
                hint="Free some space and run the same command again: it carries on",
            )
        return SearcherError(f"no space left on device{_where(error) if isinstance(error, OSError) else ''}")
    if isinstance(error, SegmentBuildFailed):
        return SearcherError(
            f"{error}; the index keeps what was committed before",
            hint="Run the same command again (with --jobs 1 if it recurs)",
        )
    if isinstance(error, MemoryError):
        return SearcherError("out of memory", hint="With search index: try a smaller --batch-size or --jobs 1")
    if isinstance(error, PermissionError):
        return SearcherError(f"permission denied{_where(error)}")
    if isinstance(error, OSError) and error.strerror:
        return SearcherError(f"{error.strerror.lower()}{_where(error)}")
    if index_dir is not None:
        damaged = damage(index_dir)
        if damaged is not None:
            return damaged
        if _from_index_files(error):
            return SearcherError(
                f"{folder} cannot be read ({_reason(error)}): a file of it is damaged",
                hint="Rebuild it: search index --rebuild PATHS",
            )
    return SearcherError(f"internal error ({_reason(error)}); run with --traceback and report it")


def damage(index_dir: str | Path | None):
    """The damaged file of the index at ``index_dir`` (an IndexDamaged), or None."""
    if index_dir is None:
        return None
    try:
        from .integrity import diagnose

        return diagnose(index_dir)
    except Exception:
        return None


#: Exceptions Whoosh's readers raise on files that are not what they should be.
_FILE_ERRORS = ("CorruptIndexError", "FileFormatError", "UnpicklingError", "IndexError")


def _from_index_files(error: BaseException) -> bool:
    """True when the error comes from reading an index file (its type, or a frame of whoosh)."""
    if type(error).__name__ in _FILE_ERRORS and type(error).__module__.startswith(("whoosh", "_pickle", "pickle")):
        return True
    import struct
    import zlib

    if isinstance(error, (EOFError, struct.error, zlib.error)):
        return True
    return False


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())[:160]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
