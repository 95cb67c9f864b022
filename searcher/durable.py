"""Commits that survive power cuts, readers that never fail during a commit,
rebuilds beside the live index, and the clean-up of a killed run.

Durability. Every file the index writes is flushed to disk (``fsync``) when it
is closed (``searcher.storage.MappedStorage``); before a table of contents
(TOC) names new segment files, the folder holding them is synced too, and the
TOC itself is written to a temporary name, synced, renamed into place, and the
folder synced again. Only then is a commit published, and only then is the
TOC before it dropped: the index always holds the newest commit *and the one
before it* (:func:`read_toc` falls back to it when the newest is unreadable,
and says so).

Readers. A commit publishes a new TOC and deletes the TOC two generations
back; segment files are only deleted when no kept TOC lists them.
:func:`read_toc` lists the TOCs and reads the newest; when a commit deletes it
between the listing and the opening, it lists again.

Rebuilds. ``search index --rebuild`` builds a whole index (segments, TOC,
version file, duplicate store) in ``INDEX/.rebuild-XXXX/`` while readers keep
using the live one, then :func:`publish_rebuild` moves it in:

1. a ``PUBLISH`` marker is written (synced) in the build folder: from here on
   the swap is finished by whoever holds the write lock next, even after a kill;
2. the segment files move into the index folder (new, unique names: no reader
   sees them yet), and the folder is synced;
3. the build's TOC is written into the index folder with the next generation
   number: this one rename is the moment readers switch to the new archive;
4. the duplicate store is copied over the live one in one SQLite transaction
   (the backup API: readers see the old groups or the new ones), the version
   file replaced, the build folder removed.

A kill before step 1 leaves the old archive as it was; the next writing run
removes the build folder (:func:`clean_leftovers`). The archive that the swap
replaced stays, as the previous commit, until the next commit.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

from whoosh.index import TOC, EmptyIndexError

from .errors import SearcherError

#: Flush files and folders to disk before a commit is published. Only tests
#: and measurements turn this off.
SYNC = True
#: Build folders of ``--rebuild``, inside the index folder.
REBUILD_PREFIX = ".rebuild-"
#: Written in a build folder once the build is complete and durable: the swap
#: has begun, and is finished after a crash instead of rolled back.
PUBLISH_MARKER = "PUBLISH"
#: How often a reader lists the TOCs again when commits keep deleting the one it chose.
READ_ATTEMPTS = 50

logger = logging.getLogger("searcher")
logger.addHandler(logging.NullHandler())  # the library never prints: a program decides


class IndexUnreadable(SearcherError):
    """No table of contents of the index can be read."""

    hint = "Rebuild it: search index --rebuild PATHS"


# Flushing to disk


def fsync_file(path: str | os.PathLike) -> None:
    """Flush a file's content to disk."""
    if not SYNC:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | os.PathLike) -> None:
    """Flush a folder's entries (files created, renamed, deleted) to disk, where
    the system allows it (not on Windows; some file systems refuse)."""
    if not SYNC:
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP, errno.EROFS):
            raise
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: the old content or the new one, also after a power cut."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        if SYNC:
            os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_dir(path.parent)


def sync_on_close(structfile) -> None:
    """A Whoosh ``StructFile``'s ``onclose``: flush the written file to disk before it closes."""
    handle = structfile.file
    handle.flush()
    if SYNC:
        os.fsync(handle.fileno())


# Tables of contents


def toc_generations(storage, indexname: str = "MAIN") -> list[int]:
    """The generations of the TOCs in ``storage``, newest first."""
    pattern = TOC._pattern(indexname)
    return sorted((int(m.group(1)) for name in storage.list() if (m := pattern.match(name))), reverse=True)


def read_toc(storage, indexname: str = "MAIN", schema=None) -> tuple[TOC, str | None]:
    """The newest readable TOC, and why it is not the newest one, if it is not.

    A TOC deleted by a commit between listing and opening is a race, not a
    fault: the TOCs are listed again. A TOC that exists but cannot be read
    (empty or cut short by a power cut, overwritten) is skipped for the one
    before it; the second value then says which was skipped and why.
    """
    for attempt in range(READ_ATTEMPTS):
        generations = toc_generations(storage, indexname)
        if not generations:
            raise EmptyIndexError(f"no index in {storage.folder}")
        unreadable: list[tuple[int, str]] = []
        raced = False
        for generation in generations:
            try:
                toc = TOC.read(storage, indexname, generation, schema=schema)
            except FileNotFoundError:
                raced = True
                break
            except OSError:
                raise
            except Exception as exc:  # noqa: BLE001 - any way a damaged file fails to parse
                detail = " ".join(str(exc).split())[:120]
                unreadable.append((generation, f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__))
                continue
            return toc, _recovered_message(storage, indexname, unreadable, generation)
        if not raced:
            shown = "; ".join(f"{TOC._filename(indexname, g)}: {why}" for g, why in unreadable)
            raise IndexUnreadable(f"no table of contents of {storage.folder}/ can be read ({shown})")
        time.sleep(min(0.002 * (attempt + 1), 0.05))
    raise IndexUnreadable(f"{storage.folder}/ changed too often to be read ({READ_ATTEMPTS} attempts)")


def _recovered_message(storage, indexname: str, unreadable: list[tuple[int, str]], used: int) -> str | None:
    if not unreadable:
        return None
    names = ", ".join(TOC._filename(indexname, g) for g, _ in unreadable)
    reasons = "; ".join(why for _, why in unreadable)
    return (
        f"the newest commit of {storage.folder}/ is unreadable ({names}: {reasons}); "
        f"using the previous one (generation {used}): articles of the lost commit are missing "
        f"until search index runs again over them"
    )


def write_toc(storage, toc: TOC, indexname: str = "MAIN") -> None:
    """Publish ``toc``: written under a temporary name, flushed, renamed, folder flushed."""
    folder = storage.folder
    fsync_dir(folder)  # the names of the segment files it lists come first
    toc.write(storage, indexname)
    if not getattr(storage, "syncs_files", False):
        fsync_file(os.path.join(folder, TOC._filename(indexname, toc.generation)))
    fsync_dir(folder)


def segment_files(storage, segments, indexname: str = "MAIN") -> set[str]:
    """The files of ``storage`` that belong to ``segments``."""
    pattern = TOC._segment_pattern(indexname)
    ids = {segment.segment_id() for segment in segments}
    return {name for name in storage.list() if (m := pattern.match(name)) and m.group(1) in ids}


def all_segment_files(storage, indexname: str = "MAIN") -> set[str]:
    """Every segment file in ``storage``, listed by a TOC or not."""
    pattern = TOC._segment_pattern(indexname)
    return {name for name in storage.list() if pattern.match(name)}


def previous_toc(storage, generation: int, indexname: str = "MAIN", schema=None) -> TOC | None:
    """The newest readable TOC older than ``generation`` (None: there is none)."""
    for older in toc_generations(storage, indexname):
        if older >= generation:
            continue
        try:
            return TOC.read(storage, indexname, older, schema=schema)
        except Exception:  # noqa: BLE001 - unreadable: look further back
            continue
    return None


# Leftovers of a killed run


def clean_leftovers(index_dir: Path, indexname: str = "MAIN") -> list[str]:
    """Before a writing run (under the write lock): finish or drop what a killed run left.

    A rebuild killed after its ``PUBLISH`` marker is swapped in; any other build
    folder is removed, as are temporary TOCs, the version file's temporary
    copies and the spill folder. Returns what was done, one line each.
    Orphan segment files are removed by the indexer, which knows the kept TOCs.
    """
    done = []
    if not index_dir.is_dir():
        return done
    for entry in sorted(index_dir.iterdir()):
        name = entry.name
        if name.startswith(REBUILD_PREFIX) and entry.is_dir():
            if (entry / PUBLISH_MARKER).is_file():
                _roll_forward(index_dir, entry, indexname)
                done.append(f"finished the swap of the interrupted rebuild {name}")
            else:
                shutil.rmtree(entry, ignore_errors=True)
                done.append(f"removed the interrupted rebuild {name}")
        elif name == f"{indexname}.tmp" and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            done.append(f"removed {name}")
        elif (name.startswith(f"_{indexname}_") and ".toc." in name) or (
            name.startswith("searcher.json.") and name.endswith(".tmp")
        ):
            entry.unlink(missing_ok=True)
            done.append(f"removed {name}")
    if done:
        fsync_dir(index_dir)
    return done


def remove_files(storage, names) -> None:
    """Delete files of ``storage``, ignoring those already gone."""
    for name in names:
        try:
            storage.delete_file(name)
        except OSError:
            pass  # already gone, or still open elsewhere (Windows): a later run retries


# Rebuilds


def new_build_dir(index_dir: Path) -> Path:
    """A new, empty build folder inside ``index_dir``."""
    from whoosh.util import random_name

    path = index_dir / f"{REBUILD_PREFIX}{random_name(8)}"
    path.mkdir()
    return path


def publish_rebuild(index_dir: Path, build_dir: Path, indexname: str = "MAIN") -> None:
    """Swap the complete index in ``build_dir`` in for the one in ``index_dir`` (see the module docstring).

    The caller holds the write lock and has closed everything it wrote in
    ``build_dir`` (every file there is already flushed to disk).
    """
    from .storage import MappedStorage

    live = MappedStorage(index_dir)
    generations = toc_generations(live, indexname)
    previous = None
    try:
        previous = read_toc(live, indexname)[0].generation
    except (EmptyIndexError, IndexUnreadable):
        pass
    for name in os.listdir(build_dir):
        if name.endswith((".sqlite-wal", ".sqlite-shm")):
            continue
        fsync_file(build_dir / name)
    fsync_dir(build_dir)
    marker = {"generation": (generations[0] + 1) if generations else 1, "previous": previous}
    write_atomic(build_dir / PUBLISH_MARKER, json.dumps(marker).encode("utf-8"))
    _roll_forward(index_dir, build_dir, indexname)


def _roll_forward(index_dir: Path, build_dir: Path, indexname: str) -> None:
    """Steps 2-4 of the swap; safe to repeat after a kill at any point."""
    from .dupstore import STORE_FILE
    from .meta import META_FILE
    from .storage import MappedStorage

    marker = json.loads((build_dir / PUBLISH_MARKER).read_text(encoding="utf-8"))
    generation, previous = int(marker["generation"]), marker.get("previous")
    live = MappedStorage(index_dir)
    toc_name = TOC._filename(indexname, generation)
    if not live.file_exists(toc_name):
        built = MappedStorage(build_dir)
        toc = TOC.read(built, indexname)  # Whoosh's own codec objects: written as they were read
        pattern = TOC._segment_pattern(indexname)
        ids = {segment.segment_id() for segment in toc.segments}
        for name in built.list():
            m = pattern.match(name)
            if m and m.group(1) in ids:
                os.replace(build_dir / name, index_dir / name)
        write_toc(live, TOC(toc.schema, toc.segments, generation), indexname)
    store = build_dir / STORE_FILE
    if store.is_file():
        _copy_store(store, index_dir / STORE_FILE)
    meta = build_dir / META_FILE
    if meta.is_file():
        write_atomic(index_dir / META_FILE, meta.read_bytes())
    kept = {generation} | ({int(previous)} if previous is not None else set())
    remove_files(live, [TOC._filename(indexname, g) for g in toc_generations(live, indexname) if g not in kept])
    # Segments only the removed tables of contents listed (an older swap's) go with them.
    listed: set[str] = set()
    for g in kept:
        try:
            listed |= segment_files(live, TOC.read(live, indexname, g).segments, indexname)
        except Exception:  # noqa: BLE001 - unreadable: keep every file rather than guess
            listed = None
            break
    if listed is not None:
        remove_files(live, sorted(all_segment_files(live, indexname) - listed))
    shutil.rmtree(build_dir, ignore_errors=True)
    fsync_dir(index_dir)


def _copy_store(source: Path, target: Path) -> None:
    """Replace the duplicate store at ``target`` with ``source``'s content, in one transaction.

    A ``target`` that is no database (damaged: what a rebuild is run to repair)
    is replaced as a file instead.
    """
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=60)
        try:
            dst.execute(f"PRAGMA synchronous={'FULL' if SYNC else 'OFF'}")
            src.backup(dst)
            return
        except sqlite3.DatabaseError as error:
            if "not a database" not in str(error) and "malformed" not in str(error):
                raise
        finally:
            dst.close()
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        copy = sqlite3.connect(partial)
        try:
            src.backup(copy)
        finally:
            copy.close()
        fsync_file(partial)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
        fsync_dir(target.parent)
    finally:
        src.close()
