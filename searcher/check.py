"""Checking an index folder and its duplicate store: what is wrong, one finding each.

:func:`check_index` reads an index the way a careful reader would and reports
every disagreement it finds as a :class:`Finding` (a short ``kind``, the file
concerned, a one-line message). It never changes anything. What it checks:

* ``version``: the version file (``searcher.json``) is there and names this
  version's analysis and format;
* ``toc``: a table of contents (``_MAIN_<n>.toc``) exists and reads;
* ``missing``: every file a listed segment needs is there;
* ``unreadable``: every segment opens, and (unless ``quick``) every posting of
  every term, every stored field and every column of every document reads,
  each term's posting count agreeing with its document frequency;
* ``doc-count``: the document counts of the table of contents, of the stored
  fields and of the columns agree, and every live document has one id;
* ``doubled``: no article id is live more than once;
* ``store``, ``store-ahead``, ``store-missing``, ``store-stale``: the duplicate
  store opens, passes SQLite's own check, was built with this version's
  settings, holds exactly the index's articles (none the index does not hold,
  none missing) and (unless ``quick``) the bodies the index holds;
* ``groups``: the groups are what grouping the stored articles afresh gives
  (no group of one, no group falling apart, no two groups that should be one,
  band keys for exactly the stored sketches);
* ``orphan``: no file in the folder that no table of contents names (left by
  an interrupted run);
* ``permissions``: no file or the folder writable by every user, none unreadable.

A folder being written by another process (its write lock held) is checked
without the last two comparisons that a commit in progress changes (leftover
files, the store against the index); :attr:`CheckReport.notes` says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IndexNotFound, SearcherError
from .meta import META_FILE

#: Files of an index folder that belong to no segment and no table of contents.
KNOWN_FILES = frozenset({META_FILE, "MAIN_WRITELOCK"})
#: The kinds of finding, in the order they are reported.
KINDS = (
    "permissions",
    "version",
    "toc",
    "missing",
    "unreadable",
    "doc-count",
    "doubled",
    "store",
    "store-ahead",
    "store-missing",
    "store-stale",
    "groups",
    "orphan",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with an index: its kind, the file concerned ("" for the folder), what."""

    kind: str
    file: str
    message: str

    def line(self, index_dir: str | Path) -> str:
        """``FOLDER/FILE: kind: message`` (one line)."""
        where = f"{str(index_dir).rstrip('/')}/{self.file}"
        return f"{where}: {self.kind}: {self.message}"


@dataclass
class CheckReport:
    """What :func:`check_index` found, with what it looked at."""

    index_dir: Path
    quick: bool
    findings: list[Finding] = field(default_factory=list)
    articles: int = 0
    segments: int = 0
    stored: int | None = None  # articles in the duplicate store (None: no readable store)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.findings

    def add(self, kind: str, file: str, message: str) -> None:
        self.findings.append(Finding(kind, file, " ".join(message.split())))

    def as_json(self) -> str:
        return json.dumps(
            {
                "index": str(self.index_dir),
                "healthy": self.healthy,
                "quick": self.quick,
                "articles": self.articles,
                "segments": self.segments,
                "stored": self.stored,
                "findings": [{"kind": f.kind, "file": f.file, "message": f.message} for f in self.findings],
                "notes": self.notes,
                "seconds": round(self.seconds, 3),
            },
            ensure_ascii=False,
        )


def _failure(exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def body_digest(body: str | None) -> bytes:
    """The duplicate store's digest of a body (``DuplicateStore.add``'s ``content``)."""
    return hashlib.blake2b((body or "").encode("utf-8", "surrogatepass"), digest_size=16).digest()


def check_index(index_dir: str | Path, *, quick: bool = False) -> CheckReport:
    """Check the index in ``index_dir`` and its duplicate store; never changes them.

    Raises :class:`~searcher.errors.IndexNotFound` when the folder is missing or
    holds no index at all (nothing to check); everything else is a finding.
    """
    path = Path(index_dir)
    started = time.perf_counter()
    report = CheckReport(path, quick)
    if not path.is_dir():
        raise IndexNotFound(f"no index at {path}/")
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        raise SearcherError(f"cannot list {path}/: {exc.strerror or exc}") from None
    from whoosh.index import TOC

    from .storage import INDEX_NAME

    toc_pattern = TOC._pattern(INDEX_NAME)
    segment_pattern = TOC._segment_pattern(INDEX_NAME)
    tocs = sorted((int(m.group(1)), name) for name in names if (m := toc_pattern.match(name)))
    if not tocs and META_FILE not in names and not any(segment_pattern.match(n) for n in names):
        raise IndexNotFound(f"no index at {path}/")

    _check_permissions(path, names, report)
    lock = _try_lock(path)
    writing = lock is False
    if writing:
        report.notes.append(
            "being written by another process: leftover files and the duplicate store's articles not compared"
        )
    try:
        if not tocs:
            report.add("toc", "", "no table of contents (_MAIN_<n>.toc): the index cannot be opened")
        else:
            _check_version(path, report)
        live, named = _check_engine(path, tocs, report) if tocs else (None, set())
        _check_store(path, live, report, compare=not writing)
        if not writing and tocs:
            _check_orphans(path, names, named, report)
    finally:
        if lock:
            lock.release()
    order = {kind: number for number, kind in enumerate(KINDS)}
    report.findings.sort(key=lambda f: order.get(f.kind, len(order)))
    report.seconds = time.perf_counter() - started
    return report


def _try_lock(path: Path):
    """The index's write lock if it could be taken now, False when another process holds
    it, None when it cannot be taken at all (a read-only folder: nobody writes there)."""
    from whoosh.filedb.filestore import FileStorage

    from .indexer import WRITE_LOCK

    try:
        lock = FileStorage(str(path)).lock(WRITE_LOCK)
        return lock if lock.acquire(blocking=False) else False
    except OSError:
        return None


def _check_permissions(path: Path, names: list[str], report: CheckReport) -> None:
    entries = [("", path)] + [(name, path / name) for name in names]
    for name, entry in entries:
        try:
            info = entry.lstat()
        except OSError as exc:
            report.add("permissions", name, f"cannot be examined ({exc.strerror or exc})")
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        if info.st_mode & stat.S_IWOTH and not (stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX):
            what = "the folder" if not name else "the file"
            report.add(
                "permissions", name,
                f"{what} is writable by every user (mode {stat.S_IMODE(info.st_mode):04o}): "
                f"anyone can change or delete the archive; chmod o-w",
            )
        if not os.access(entry, os.R_OK):
            report.add("permissions", name, f"cannot be read by this user (mode {stat.S_IMODE(info.st_mode):04o})")


def _check_version(path: Path, report: CheckReport) -> None:
    from .errors import IndexDamaged, IndexVersionMismatch
    from .meta import check_version

    try:
        check_version(path)
    except IndexVersionMismatch as exc:
        report.add("version", META_FILE, f"{exc}; rebuild: search index --rebuild PATHS")
    except IndexDamaged as exc:
        # A segment file whose size or checksum differs from the one recorded when it was written.
        damaged = str(exc).split(" is damaged", 1)[0]
        report.add("unreadable", Path(damaged).name if damaged != str(exc) else META_FILE, f"{exc}; rebuild: search index --rebuild PATHS")
    except SearcherError as exc:
        report.add("version", META_FILE, str(exc))
    except Exception:  # noqa: BLE001 - a table of contents that cannot be read: reported as "toc"
        pass


@dataclass
class _Live:
    """What the index holds: each live id with its body digest (None: not read, quick check)."""

    ids: dict[str, bytes | None] = field(default_factory=dict)


def _check_engine(path: Path, tocs: list[tuple[int, str]], report: CheckReport) -> tuple[_Live | None, set[str]]:
    """Check the latest table of contents and its segments; returns the live articles
    (None when the index cannot be read) and the names of every file a readable
    table of contents names."""
    from whoosh.index import TOC

    from .storage import INDEX_NAME, MappedStorage, _reading_codec

    storage = MappedStorage(path, readonly=True)
    named: set[str] = set()
    latest = None
    for generation, name in reversed(tocs):
        try:
            toc = TOC.read(storage, INDEX_NAME, gen=generation)
        except Exception as exc:  # noqa: BLE001 - a damaged file may raise anything
            report.add("toc", name, f"cannot be read ({_failure(exc)})")
            continue
        named.add(name)
        for segment in toc.segments:
            prefix = f"{segment.segment_id()}."
            named.update(n for n in storage.list() if n.startswith(prefix))
        if latest is None and generation == tocs[-1][0]:
            latest = toc
    if latest is None:
        return None, named
    for segment in latest.segments:
        if hasattr(segment, "_codec"):
            segment._codec = _reading_codec(segment._codec)
    report.segments = len(latest.segments)
    live = _Live()
    where: dict[str, str] = {}  # id -> segment of its first live copy
    doubled: dict[str, list[str]] = {}
    readable = True
    for segment in latest.segments:
        try:
            segment_ok = _check_segment(storage, latest.schema, segment, live, where, doubled, report)
        except Exception as exc:  # noqa: BLE001
            report.add("unreadable", f"{segment.segment_id()}.*", f"segment cannot be read ({_failure(exc)})")
            segment_ok = False
        readable = readable and segment_ok
    for article_id, segments in sorted(doubled.items()):
        report.add(
            "doubled", "",
            f"article {article_id!r} is in the index {len(segments)} times (segments {', '.join(segments)})",
        )
    report.articles = len(live.ids) + sum(len(s) - 1 for s in doubled.values())
    return (live if readable else None), named


def _check_segment(storage, schema, segment, live: _Live, where: dict, doubled: dict, report: CheckReport) -> bool:
    """Check one segment; True when its ids could all be read."""
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.reading import SegmentReader

    quick = report.quick
    segid = segment.segment_id()
    total = segment.doc_count_all()
    deleted = set(segment.deleted_docs()) if segment.has_deletions() else set()
    if total < 0 or any(not 0 <= d < total for d in deleted):
        report.add("doc-count", f"{segid}.*", f"deletions outside the segment's {total} documents")
    if total == 0:
        return True
    missing = [ext for ext in (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT, "._stored.col") if not storage.file_exists(f"{segid}{ext}")]
    for ext in missing:
        report.add("missing", f"{segid}{ext}", f"segment {segid} ({total:,} documents) needs this file; it is not there")
    if missing:
        return False
    for ext in (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT):
        if storage.file_length(f"{segid}{ext}") == 0:
            report.add("unreadable", f"{segid}{ext}", "empty file")
            return False
    try:
        reader = SegmentReader(storage, schema, segment)
    except Exception as exc:  # noqa: BLE001
        report.add("unreadable", f"{segid}{W3Codec.TERMS_EXT}", f"segment {segid} cannot be opened ({_failure(exc)})")
        return False
    try:
        perdoc = reader._perdoc
        fields_with_terms = set()
        ok = True
        # Ids: every live document has exactly one.
        ids_of: dict[int, str] = {}
        try:
            for term in reader.lexicon("id"):
                article_id = term.decode("utf-8")
                for docnum in _raw_postings(reader, "id", term).all_ids():
                    if docnum in ids_of:
                        report.add("doc-count", f"{segid}{W3Codec.POSTS_EXT}", f"document {docnum} has two ids")
                    ids_of[docnum] = article_id
        except Exception as exc:  # noqa: BLE001
            report.add("unreadable", f"{segid}{W3Codec.POSTS_EXT}", f"the article ids cannot be read ({_failure(exc)})")
            return False
        for docnum, article_id in sorted(ids_of.items()):
            if docnum in deleted:
                continue
            if not 0 <= docnum < total:
                report.add("doc-count", f"{segid}{W3Codec.POSTS_EXT}", f"id {article_id!r} names document {docnum} of {total}")
                continue
            if article_id in where:
                doubled.setdefault(article_id, [where[article_id]]).append(segid)
            else:
                where[article_id] = segid
                live.ids[article_id] = None
        without = total - len(deleted) - sum(1 for d in ids_of if d not in deleted)
        if without > 0:
            report.add("doc-count", f"{segid}{W3Codec.POSTS_EXT}", f"{without:,} of the segment's live documents have no id")

        # Stored fields and columns: one entry per document.
        stored_count = _column_count(perdoc, "_stored")
        if stored_count is not None and stored_count != total:
            report.add("doc-count", f"{segid}._stored.col", f"stored fields of {stored_count:,} documents; the segment has {total:,}")
            ok = False
        # Every document has a title and a body, so the longest length column covers them all.
        lengths = {
            name: count
            for name in schema.names()
            if (count := _column_count(perdoc, f"_{name}_len")) is not None
        }
        if lengths:
            name, count = max(lengths.items(), key=lambda item: item[1])
            if count != total:
                report.add("doc-count", f"{segid}._{name}_len.col", f"field lengths of {count:,} documents; the segment has {total:,}")
                ok = False
        if quick:
            return ok
        # Full read: every posting of every term, every stored field, every column value.
        for fieldname in reader.indexed_field_names():
            try:
                for term in reader.lexicon(fieldname):
                    fields_with_terms.add(fieldname)
                    _read_postings(reader, fieldname, term, total)
            except _CountMismatch as exc:
                report.add("doc-count", f"{segid}{W3Codec.POSTS_EXT}", str(exc))
                ok = False
            except Exception as exc:  # noqa: BLE001
                report.add("unreadable", f"{segid}{W3Codec.POSTS_EXT}", f"postings of field {fieldname!r} cannot be read ({_failure(exc)})")
                ok = False
        for fieldname in sorted(fields_with_terms):
            field_obj = schema[fieldname]
            if field_obj.scorable and not perdoc.has_column(f"_{fieldname}_len"):
                report.add("missing", f"{segid}._{fieldname}_len.col", f"segment {segid} has {fieldname!r} terms but no lengths for them")
            if field_obj.column_type is not None and not perdoc.has_column(fieldname):
                report.add("missing", f"{segid}.{fieldname}.col", f"segment {segid} has {fieldname!r} terms but no column of them")
        try:
            for docnum in range(total):
                fields = perdoc.stored_fields(docnum)
                if docnum in deleted:
                    continue
                article_id = ids_of.get(docnum)
                if fields.get("id") != article_id:
                    report.add("doc-count", f"{segid}._stored.col", f"document {docnum} stores id {fields.get('id')!r}, is indexed as {article_id!r}")
                    ok = False
                elif article_id is not None and where.get(article_id) == segid:
                    live.ids[article_id] = body_digest(fields.get("body"))
        except Exception as exc:  # noqa: BLE001
            report.add("unreadable", f"{segid}._stored.col", f"stored fields cannot be read ({_failure(exc)})")
            return False
        for name in schema.names():
            for column_name in (name, f"_{name}_len"):
                if not perdoc.has_column(column_name):
                    continue
                try:
                    column = _column_reader(perdoc, schema, column_name)
                    if column is not None:
                        for docnum in range(total):
                            column[docnum]
                except Exception as exc:  # noqa: BLE001
                    report.add("unreadable", f"{segid}.{column_name}.col", f"column cannot be read ({_failure(exc)})")
        return ok
    finally:
        reader.close()


def _raw_postings(reader, fieldname: str, term: bytes):
    """A term's postings as written, deleted documents included (``postings`` leaves them out)."""
    return reader._terms.matcher(fieldname, term, reader.schema[fieldname].format)


class _CountMismatch(Exception):
    pass


def _read_postings(reader, fieldname: str, term: bytes, total: int) -> None:
    """Read every block of a term's postings; raise when they disagree with its term info."""
    info = reader.term_info(fieldname, term)
    matcher = _raw_postings(reader, fieldname, term)
    count = 0
    last = -1
    if hasattr(matcher, "_next_block"):
        while not matcher._atend:
            matcher._read_ids()
            ids = matcher._ids
            matcher._read_weights()
            matcher._read_values()
            if ids and (ids[0] <= last or any(b <= a for a, b in zip(ids, ids[1:]))):
                raise _CountMismatch(f"postings of {fieldname}:{term.decode('utf-8', 'replace')!r} are out of order")
            count += len(ids)
            last = ids[-1] if ids else last
            matcher._next_block()
    else:
        for docnum in matcher.all_ids():
            count += 1
            last = docnum
    if last >= total:
        raise _CountMismatch(f"postings of {fieldname}:{term.decode('utf-8', 'replace')!r} name document {last} of {total}")
    if count != info.doc_frequency():
        raise _CountMismatch(
            f"{fieldname}:{term.decode('utf-8', 'replace')!r} has {count} postings; its term info says {info.doc_frequency()}"
        )


def _column_count(perdoc, name: str) -> int | None:
    """The number of values a column file holds (None when it is not there)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN

    if not perdoc.has_column(name):
        return None
    if name == "_stored":
        reader = perdoc.column_reader(name, STORED_COLUMN)
    elif name.startswith("_") and name.endswith("_len"):
        reader = perdoc.column_reader(name, LENGTHS_COLUMN)
    else:
        return None
    reader = getattr(reader, "_child", reader)  # stored fields: pickles in a bytes column
    count = getattr(reader, "_count", None)
    if count is None and hasattr(reader, "_lengths"):
        count = len(reader._lengths)
    return count


def _column_reader(perdoc, schema, name: str):
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    if name.startswith("_") and name.endswith("_len"):
        return perdoc.column_reader(name, LENGTHS_COLUMN)
    field_obj = schema[name] if name in schema else None
    if field_obj is None or field_obj.column_type is None:
        return None
    return perdoc.column_reader(name, field_obj.column_type)


def _check_store(path: Path, live: _Live | None, report: CheckReport, compare: bool) -> None:
    from . import dupstore

    store_path = path / dupstore.STORE_FILE
    if not store_path.is_file():
        if report.articles:
            report.add("store", dupstore.STORE_FILE, "no duplicate store: groups are unavailable until the next `search index` run")
        return
    try:
        db = sqlite3.connect(f"{store_path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        report.add("store", dupstore.STORE_FILE, f"cannot be opened ({_failure(exc)})")
        return
    try:
        _check_store_db(db, live, report, compare)
    except sqlite3.Error as exc:
        report.add("store", dupstore.STORE_FILE, f"cannot be read ({_failure(exc)})")
    finally:
        db.close()


def _check_store_db(db: sqlite3.Connection, live: _Live | None, report: CheckReport, compare: bool) -> None:
    from . import dupstore

    name = dupstore.STORE_FILE
    result = [row[0] for row in db.execute("PRAGMA quick_check" if report.quick else "PRAGMA integrity_check")]
    if result != ["ok"]:
        report.add("store", name, f"SQLite finds it damaged: {'; '.join(map(str, result[:3]))}")
        return
    stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
    wanted = dupstore._settings()
    settings = {k: v for k, v in stored.items() if k in wanted}
    if settings != wanted:
        differ = sorted(k for k in wanted if settings.get(k) != wanted[k])
        report.add("store", name, f"built with other settings ({', '.join(differ)}): the next `search index` run regroups every article")
        return
    rows = db.execute("SELECT id, content, exact, signature, grp FROM docs").fetchall()
    report.stored = len(rows)
    if compare and live is not None:
        ids = live.ids
        in_store = {row[0]: row[1] for row in rows}
        for article_id in sorted(set(in_store) - set(ids)):
            report.add("store-ahead", name, f"{article_id!r} is in the duplicate store but not in the index")
        for article_id in sorted(set(ids) - set(in_store)):
            report.add("store-missing", name, f"{article_id!r} is in the index but not in the duplicate store")
        for article_id, digest in sorted(ids.items()):
            stored_digest = in_store.get(article_id)
            if digest is not None and stored_digest is not None and stored_digest != digest:
                report.add("store-stale", name, f"{article_id!r}: the duplicate store holds another version of its text")
    _check_groups(db, rows, report)


def _check_groups(db: sqlite3.Connection, rows: list, report: CheckReport) -> None:
    from . import dupstore, duplicates

    name = dupstore.STORE_FILE
    by_id = {row[0]: row for row in rows}
    members: dict[int, list[str]] = {}
    for article_id, _, _, _, group in rows:
        if group is not None:
            members.setdefault(group, []).append(article_id)

    def near(a, b) -> bool:
        if a[2] is not None and a[2] == b[2]:
            return True
        if a[3] is None or b[3] is None:
            return False
        return duplicates.is_near_duplicate(duplicates.similarity(a[3], b[3]))

    for group, ids in sorted(members.items()):
        ids.sort()
        if len(ids) < 2:
            report.add("groups", name, f"group {group} has one article ({ids[0]!r})")
            continue
        group_rows = [by_id[i] for i in ids]
        edges = [(a[0], b[0]) for i, a in enumerate(group_rows) for b in group_rows[i + 1 :] if near(a, b)]
        parts = duplicates.connected_groups(ids, edges)
        if len(parts) > 1:
            report.add("groups", name, f"group {group} falls apart into {len(parts)} groups ({', '.join(repr(p[0]) for p in parts)} …)")
    # Articles that are copies of each other must share a group.
    def same_group(a, b) -> bool:
        return a[4] is not None and a[4] == b[4]

    reported: set[tuple[str, str]] = set()
    for (exact,) in db.execute("SELECT exact FROM docs WHERE exact IS NOT NULL GROUP BY exact HAVING COUNT(*) > 1"):
        copies = sorted(i for (i,) in db.execute("SELECT id FROM docs WHERE exact = ?", (exact,)))
        first = by_id[copies[0]]
        for other in copies[1:]:
            if not same_group(first, by_id[other]):
                reported.add((first[0], other))
                report.add("groups", name, f"{first[0]!r} and {other!r} are exact copies but not in one group")
    candidates = db.execute(
        "SELECT DISTINCT a.id, b.id FROM bands a JOIN bands b ON a.key = b.key AND a.id < b.id"
    ).fetchall()
    for a_id, b_id in candidates:
        a, b = by_id.get(a_id), by_id.get(b_id)
        if a is None or b is None or same_group(a, b) or (a_id, b_id) in reported:
            continue
        if near(a, b):
            reported.add((a_id, b_id))
            report.add("groups", name, f"{a_id!r} and {b_id!r} are near-duplicates but not in one group")
    # Band keys: exactly those of the stored signatures.
    (strays,) = db.execute("SELECT COUNT(*) FROM bands WHERE id NOT IN (SELECT id FROM docs)").fetchone()
    if strays:
        report.add("groups", name, f"{strays:,} band keys of articles the store does not hold")
    banded = {i for (i,) in db.execute("SELECT DISTINCT id FROM bands")}
    unbanded = sorted(row[0] for row in rows if row[3] is not None and row[0] not in banded)
    if unbanded:
        report.add("groups", name, f"{len(unbanded):,} sketched articles without band keys ({unbanded[0]!r} …)")


def _check_orphans(path: Path, names: list[str], named: set[str], report: CheckReport) -> None:
    from . import dupstore

    known = set(KNOWN_FILES) | {dupstore.STORE_FILE + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    for name in names:
        if name.startswith(".") or name in named or name in known:
            continue
        kind = "folder" if (path / name).is_dir() else "file"
        report.add("orphan", name, f"a {kind} no table of contents names (left by an interrupted run?)")


def iter_lines(report: CheckReport) -> Iterator[str]:
    """One line per finding (``FOLDER/FILE: kind: message``)."""
    for finding in report.findings:
        yield finding.line(report.index_dir)
