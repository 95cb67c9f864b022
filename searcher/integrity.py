"""Telling a damaged index from a bug: checksums of segment files, small JSON files read safely.

Every segment gets a ``<segment id>.sums`` file when it is written (after its
other files): the size and BLAKE2b digest of each. Sizes are compared each
time the index is opened (a stat per file: a truncated file is refused before
it is read); digests only on the way to reporting a failure
(:func:`diagnose`), to name the damaged file instead of showing the engine's
exception. Segment files never change once written, so their sums stay valid.

Nothing here prints or exits: problems are :class:`~searcher.errors.IndexDamaged`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
from pathlib import Path

from .errors import IndexDamaged

#: Suffix of a segment's checksum file (it matches Whoosh's segment file pattern,
#: so a segment's clean-up deletes it with the segment's other files).
SUMS_SUFFIX = ".sums"
#: The most bytes a small JSON file of the index (version file, checksums) may hold.
MAX_JSON_BYTES = 1 << 20
#: The deepest nesting of arrays and objects such a file may have.
MAX_JSON_DEPTH = 8
#: Files up to this size have their digest checked each time the index is opened
#: (the small per-document columns a query reads without checking them: field
#: lengths, dates, sources; about 2 ms for 72,000 articles). Larger ones only
#: have their size checked then; Whoosh notices most damage to them on reading.
DIGEST_AT_OPEN = 256 * 1024
#: The damaged file's hint.
REBUILD = "Rebuild it: search index --rebuild PATHS"


def read_small_json(path: Path, limit: int = MAX_JSON_BYTES):
    """The JSON value of a small file the index wrote, refusing what it would never write.

    Raises FileNotFoundError when ``path`` is missing and :class:`IndexDamaged`
    (naming the file) when it is not a regular file (a symlink to /dev/zero, a
    FIFO), is larger than ``limit``, is not UTF-8 JSON, holds a non-finite
    number (``1e999``, ``NaN``) or is nested deeper than ``MAX_JSON_DEPTH``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        if os.path.islink(path):
            raise IndexDamaged(f"{path} is a symbolic link, not a file the index wrote", REBUILD) from None
        raise IndexDamaged(f"{path} cannot be read ({error.strerror})", REBUILD) from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise IndexDamaged(f"{path} is not a regular file", REBUILD)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise IndexDamaged(f"{path} is damaged (larger than {limit:,} bytes)", REBUILD)
    try:
        text = data.decode("utf-8")
        _check_depth(text)
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as error:
        reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise IndexDamaged(f"{path} is damaged ({reason})", REBUILD) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number this index writes")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is not a finite number")
    return value


def _check_depth(text: str) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (before the parser recurses into it)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        elif char in "]}":
            depth -= 1


def _digest(path: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_sums(folder: str | Path, segment) -> None:
    """Record the size and digest of every file of a just-written ``segment`` in ``folder``."""
    folder = Path(folder)
    prefix = f"{segment.segment_id()}."
    sums = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith(prefix) and not name.endswith((SUMS_SUFFIX, ".tmp")):
            path = folder / name
            sums[name] = [path.stat().st_size, _digest(str(path))]
    from .durable import write_atomic

    # Flushed to disk like the segment's other files, before a table of contents names it.
    write_atomic(folder / f"{segment.segment_id()}{SUMS_SUFFIX}", json.dumps({"blake2b-128": sums}, sort_keys=True).encode("utf-8"))


def _recorded(folder: Path, sums_name: str) -> dict[str, list]:
    value = read_small_json(folder / sums_name, limit=MAX_JSON_BYTES)
    try:
        files = value["blake2b-128"]
        return {str(name): [int(size), str(digest)] for name, (size, digest) in files.items()}
    except (TypeError, KeyError, ValueError, AttributeError):
        raise IndexDamaged(f"{folder / sums_name} is damaged (not a list of checksums)", REBUILD) from None


def check_sizes(index_dir: str | Path, digest_up_to: int | None = None) -> None:
    """Raise IndexDamaged when a segment file's size differs from the one recorded (a stat
    per file), or the digest of one of at most ``digest_up_to`` bytes (default
    ``DIGEST_AT_OPEN``: field lengths, dates, sources) differs."""
    limit = DIGEST_AT_OPEN if digest_up_to is None else digest_up_to
    folder = Path(index_dir)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    present = set(names)
    live = _live_segment_ids(folder)
    for sums_name in names:
        if not sums_name.endswith(SUMS_SUFFIX):
            continue
        if live is not None and sums_name[: -len(SUMS_SUFFIX)] not in live:
            continue  # a segment only an older commit names (kept until the next commit)
        try:
            recorded = _recorded(folder, sums_name)
        except FileNotFoundError:
            continue  # deleted by a commit meanwhile
        for name, (size, digest) in recorded.items():
            if name not in present:
                continue  # a segment being cleaned up: the table of contents decides what is live
            try:
                actual = os.stat(folder / name).st_size
            except FileNotFoundError:
                continue
            if actual != size:
                raise IndexDamaged(f"{folder / name} is damaged (truncated or overwritten: {actual:,} bytes, written {size:,})", REBUILD)
            if size <= limit and _digest(str(folder / name)) != digest:
                raise IndexDamaged(f"{folder / name} is damaged (its checksum does not match)", REBUILD)


def _live_segment_ids(folder: Path) -> set[str] | None:
    """The segments the newest readable table of contents names (None: none can be read)."""
    from .durable import read_toc
    from .storage import MappedStorage

    try:
        toc, _ = read_toc(MappedStorage(folder))
    except Exception:  # noqa: BLE001 - opening the index reports an unreadable one
        return None
    return {segment.segment_id() for segment in toc.segments}


def diagnose(index_dir: str | Path) -> IndexDamaged | None:
    """After a failure reading the index: the damaged file that explains it, if any.

    Checks the version file, the table of contents, every live segment's files
    against their checksums, and the duplicate store. Slow (reads every file):
    only for the error path.
    """
    from .meta import META_FILE, index_exists
    from .storage import INDEX_NAME, open_index

    folder = Path(index_dir)
    if not index_exists(folder):
        return None
    try:
        read_small_json(folder / META_FILE)
    except IndexDamaged as error:
        return error
    except OSError:
        pass
    from whoosh.index import TOC

    tocs = sorted(
        (int(m.group(1)), name) for name in os.listdir(folder) if (m := TOC._pattern(INDEX_NAME).match(name))
    )
    try:
        toc = open_index(folder)._read_toc()
    except Exception as error:  # whatever unpickling a damaged file raises
        name = tocs[-1][1] if tocs else f"_{INDEX_NAME}_*.toc"
        return IndexDamaged(f"{folder / name} is damaged ({_reason(error)})", REBUILD)
    present = set(os.listdir(folder))
    for segment in toc.segments:
        segment_id = segment.segment_id()
        sums_name = segment_id + SUMS_SUFFIX
        if sums_name not in present:
            continue  # written before checksums were kept
        try:
            recorded = _recorded(folder, sums_name)
        except (IndexDamaged, FileNotFoundError) as error:
            return error if isinstance(error, IndexDamaged) else None
        for name, (size, digest) in recorded.items():
            path = folder / name
            if name not in present:
                return IndexDamaged(f"{path} is missing", REBUILD)
            if os.stat(path).st_size != size or _digest(str(path)) != digest:
                return IndexDamaged(f"{path} is damaged (its checksum does not match)", REBUILD)
    return _diagnose_store(folder)


def _diagnose_store(folder: Path) -> IndexDamaged | None:
    import sqlite3

    from .dupstore import STORE_FILE

    path = folder / STORE_FILE
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return IndexDamaged(f"{path} is damaged ({error})", REBUILD)
    if not result or result[0] != "ok":
        return IndexDamaged(f"{path} is damaged ({result[0] if result else 'no answer'})", REBUILD)
    return None


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())[:120]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
