"""The duplicate groups of an index, kept beside it in an SQLite file.

The search engine knows nothing about duplicates: this store, fed with every
article the indexer sees, holds each article's body digest, normalised key and
MinHash signature, its LSH band keys, and the group it belongs to. Queries read
the groups with two indexed lookups per page. No Whoosh here: a database
backend can keep the same store, or the same tables.

Consistency with the index. Every article goes through :meth:`DuplicateStore.add`,
unchanged ones too, at the cost of one lookup: an article whose body digest is
already stored is not processed again, a changed one is taken out of its group
(which may split) and grouped afresh. Each article's changes are atomic (a
savepoint) and committed in batches of ``COMMIT_EVERY`` and on close, which
the indexer reaches on Ctrl-C too. Whatever the two sides lost to a kill is
made good at the start of the next writing run, whatever its input: a run
that ends normally records which commit of the index the store matches
(:meth:`DuplicateStore.mark_matching`); when the next run finds another
commit there, or none recorded, it reconciles the store with the articles
the index holds (:meth:`DuplicateStore.reconcile`): entries of articles the
index does not hold are removed, articles it holds that the store lacks, or
holds in another version, are sketched and grouped afresh from the index's
stored text. Readers also ignore group members the index does not hold.
``fresh`` (``search index --rebuild``) empties the store with the index.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import duplicates
from .models import Article

#: The store's file name inside the index folder.
STORE_FILE = "duplicates.sqlite"
#: Bump when the tables change; a writer then starts the store afresh.
SCHEMA_VERSION = 1
#: Articles per commit. A commit per article cost more than the grouping
#: itself; what a killed run had not committed is regrouped on the next run.
COMMIT_EVERY = 500
#: SQLite's default limit on host parameters is 999 (older builds): stay below it.
_MAX_PARAMS = 900

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,
    content BLOB NOT NULL,      -- digest of the body as stored: unchanged articles are skipped
    exact BLOB,                 -- digest of the normalised words (NULL: too short to group)
    signature BLOB,             -- MinHash signature (NULL: too short to group)
    grp INTEGER                 -- group number (NULL: in no group)
);
CREATE INDEX IF NOT EXISTS docs_exact ON docs (exact) WHERE exact IS NOT NULL;
CREATE INDEX IF NOT EXISTS docs_grp ON docs (grp) WHERE grp IS NOT NULL;
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID;
-- Apart from meta, whose rows must equal the settings: which commit of the index the store matches.
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
#: The ``state`` row naming the commit of the index the store last matched (absent: unknown).
MATCHES_KEY = "matches_commit"


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Another article of the same group, with its estimated similarity (1.0 for an exact copy)."""

    id: str
    similarity: float
    exact: bool


def _settings() -> dict[str, str]:
    """What the stored keys and sketches depend on: another value means recomputing them."""
    return {
        "schema_version": str(SCHEMA_VERSION),
        "sketch_version": str(duplicates.SKETCH_VERSION),
        "num_perm": str(duplicates.NUM_PERM),
        "shingle_words": str(duplicates.SHINGLE_WORDS),
        "threshold": str(duplicates.SIMILARITY_THRESHOLD),
        "bands": f"{duplicates.BANDS}x{duplicates.ROWS}",
        "min_words": str(duplicates.MIN_WORDS),
    }


def _chunks(items: Sequence, size: int = _MAX_PARAMS) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class DuplicateStore:
    """Duplicate groups of the articles of one index (see the module docstring).

    Open with :meth:`for_writing` (from the indexer) or :meth:`for_reading`.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path
        self._pending = 0
        self._last_group: int | None = None

    @classmethod
    def for_writing(cls, index_dir: str | Path, *, fresh: bool = False) -> "DuplicateStore":
        """Open (or create) the store of ``index_dir``; ``fresh`` empties it first."""
        path = Path(index_dir) / STORE_FILE
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # WAL: readers (queries) never wait for the writer, and a commit costs
        # no fsync (synchronous=NORMAL): a power cut may lose the last articles,
        # which the next run re-reads anyway.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA cache_size=-65536")  # 64 MiB: band lookups stay in memory
        store = cls(connection, path)
        store._prepare()
        return store

    @classmethod
    def for_reading(cls, index_dir: str | Path) -> "DuplicateStore | None":
        """The store of ``index_dir``, or None when it has none (an index built without one)."""
        path = Path(index_dir) / STORE_FILE
        if not path.is_file():
            return None
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.Error as error:
            if "locked" in str(error) or "busy" in str(error):
                return None
            from .errors import IndexDamaged

            raise IndexDamaged(f"{path} is damaged ({error})", "Rebuild it: search index --rebuild PATHS") from None
        if row is None or row[0] != str(SCHEMA_VERSION):
            connection.close()
            return None
        return cls(connection, path)

    def _prepare(self) -> None:
        self._db.executescript(_SCHEMA)
        stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        wanted = _settings()
        if stored and stored != wanted:
            # Keys or sketches of another kind cannot be compared with new ones:
            # start again; the run re-reads every article and regroups it.
            self._db.executescript("DROP TABLE docs; DROP TABLE bands; DELETE FROM meta; DELETE FROM state;")
            self._db.executescript(_SCHEMA)
            stored = {}
        if not stored:
            self._db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", wanted.items())

    def close(self) -> None:
        """Commit what is pending and close."""
        self.commit()
        self._db.close()

    def __enter__(self) -> "DuplicateStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Writing

    def add(self, article: Article) -> str:
        """Record one article and group it; returns "added", "updated" or "unchanged"."""
        return self._add(article.id, article.body)

    def _add(self, article_id: str, body: str | None) -> str:
        import hashlib

        content = hashlib.blake2b((body or "").encode("utf-8"), digest_size=16).digest()
        row = self._db.execute("SELECT content, grp FROM docs WHERE id = ?", (article_id,)).fetchone()
        if row is not None and row[0] == content:
            return "unchanged"
        sketch = duplicates.sketch_body(body or "")
        exact, signature = sketch.exact, sketch.signature
        with self._article():
            if row is not None:
                self._detach(article_id, row[1])
            self._db.execute(
                "INSERT INTO docs (id, content, exact, signature, grp) VALUES (?, ?, ?, ?, NULL)",
                (article_id, content, exact, signature),
            )
            if signature is not None:
                keys = duplicates.band_keys(signature)
                self._db.executemany(
                    "INSERT OR IGNORE INTO bands (key, id) VALUES (?, ?)", ((key, article_id) for key in keys)
                )
                self._link(article_id, exact, signature, keys)
        return "added" if row is None else "updated"

    # Staying in step with the index

    def matches(self, commit: str) -> bool:
        """True when the store was last left matching the index's ``commit`` (see :meth:`mark_matching`)."""
        row = self._db.execute("SELECT value FROM state WHERE key = ?", (MATCHES_KEY,)).fetchone()
        return row is not None and row[0] == commit

    def begin_writing(self) -> None:
        """Forget which commit the store matches, durably, before the store or the index changes:
        a run killed from now on leaves the next one to reconcile."""
        self.commit()
        self._db.execute("DELETE FROM state WHERE key = ?", (MATCHES_KEY,))

    def mark_matching(self, commit: str) -> None:
        """Commit, then record that the store holds exactly the articles of the index's ``commit``."""
        self.commit()
        self._db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (MATCHES_KEY, commit))

    def reconcile(self, articles: Iterable[tuple[str, str | None]]) -> tuple[int, int, int]:
        """Make the store hold exactly ``articles``, (id, body) of every article the index
        holds: entries of other ids are removed, missing or changed articles sketched
        and grouped. Returns (removed, added, updated); committed."""
        held: set[str] = set()
        removed = added = updated = 0
        for article_id, body in articles:
            held.add(article_id)
            outcome = self._add(article_id, body)
            added += outcome == "added"
            updated += outcome == "updated"
        for (article_id,) in self._db.execute("SELECT id FROM docs").fetchall():
            if article_id not in held and self.remove(article_id):
                removed += 1
        self.commit()
        return removed, added, updated

    def remove(self, article_id: str) -> bool:
        """Forget an article (deleted from the index); its group may split. True if it was stored."""
        row = self._db.execute("SELECT grp FROM docs WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        with self._article():
            self._detach(article_id, row[0])
        return True

    @contextmanager
    def _article(self):
        """One article's changes: all or nothing (a savepoint), committed with a batch."""
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
            # Whatever changes now, the store may no longer match the index's commit.
            self._db.execute("DELETE FROM state WHERE key = ?", (MATCHES_KEY,))
        self._db.execute("SAVEPOINT article")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK TO article")
            self._db.execute("RELEASE article")
            raise
        self._db.execute("RELEASE article")
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make the articles recorded so far durable and visible to readers."""
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0

    def _link(self, article_id: str, exact: bytes | None, signature: bytes, keys: list[int]) -> None:
        """Join the new article to the groups of the articles it duplicates, merging them."""
        matches = {
            other for (other,) in self._db.execute("SELECT id FROM docs WHERE exact = ? AND id <> ?", (exact, article_id))
        }
        candidates = self._db.execute(
            f"SELECT DISTINCT d.id, d.signature FROM bands b JOIN docs d ON d.id = b.id "
            f"WHERE b.key IN ({_marks(len(keys))}) AND b.id <> ?",
            (*keys, article_id),
        ).fetchall()
        for other, other_signature in candidates:
            if other not in matches and duplicates.is_near_duplicate(duplicates.similarity(signature, other_signature)):
                matches.add(other)
        if not matches:
            return
        members = sorted(matches)
        groups = set()
        for chunk in _chunks(members):
            groups.update(
                g for (g,) in self._db.execute(f"SELECT grp FROM docs WHERE id IN ({_marks(len(chunk))}) AND grp IS NOT NULL", chunk)
            )
        target = min(groups) if groups else self._new_group()
        others = sorted(groups - {target})
        for chunk in _chunks(others):
            self._db.execute(f"UPDATE docs SET grp = ? WHERE grp IN ({_marks(len(chunk))})", (target, *chunk))
        for chunk in _chunks([article_id, *members]):
            self._db.execute(f"UPDATE docs SET grp = ? WHERE id IN ({_marks(len(chunk))})", (target, *chunk))

    def _new_group(self) -> int:
        # Counted in memory: MAX(grp) over the table for every new group was a
        # fifth of the indexing process's time. A rolled-back article leaves a gap.
        if self._last_group is None:
            (last,) = self._db.execute("SELECT MAX(grp) FROM docs WHERE grp IS NOT NULL").fetchone()
            self._last_group = last or 0
        self._last_group += 1
        return self._last_group

    def _detach(self, article_id: str, group: int | None) -> None:
        """Delete an article's rows and regroup what is left of its group."""
        row = self._db.execute("SELECT signature FROM docs WHERE id = ?", (article_id,)).fetchone()
        if row is not None and row[0] is not None:
            keys = duplicates.band_keys(row[0])
            self._db.executemany("DELETE FROM bands WHERE key = ? AND id = ?", ((key, article_id) for key in keys))
        self._db.execute("DELETE FROM docs WHERE id = ?", (article_id,))
        if group is not None:
            self._regroup(group)

    def _regroup(self, group: int) -> None:
        """Recompute a group's components after a member left: it may fall apart."""
        rows = self._db.execute("SELECT id, exact, signature FROM docs WHERE grp = ? ORDER BY id", (group,)).fetchall()
        edges = [
            (a[0], b[0])
            for i, a in enumerate(rows)
            for b in rows[i + 1 :]
            if a[1] == b[1] or duplicates.is_near_duplicate(duplicates.similarity(a[2], b[2]))
        ]
        components = duplicates.connected_groups([r[0] for r in rows], edges)
        for number, members in enumerate(components):
            if len(members) < 2:
                value = None
            elif number == 0:
                value = group  # the largest part keeps the number
            else:
                value = self._new_group()
            for chunk in _chunks(members):
                self._db.execute(f"UPDATE docs SET grp = ? WHERE id IN ({_marks(len(chunk))})", (value, *chunk))

    # Reading

    def groups_of(self, ids: Sequence[str]) -> dict[str, int]:
        """The group of each of ``ids`` that is in one."""
        found: dict[str, int] = {}
        for chunk in _chunks(list(ids)):
            found.update(
                self._db.execute(
                    f"SELECT id, grp FROM docs WHERE id IN ({_marks(len(chunk))}) AND grp IS NOT NULL", chunk
                ).fetchall()
            )
        return found

    def members(self, groups: Iterable[int]) -> dict[int, list[str]]:
        """The ids in each group, sorted."""
        wanted = sorted(set(groups))
        found: dict[int, list[str]] = {g: [] for g in wanted}
        for chunk in _chunks(wanted):
            for group, article_id in self._db.execute(
                f"SELECT grp, id FROM docs WHERE grp IN ({_marks(len(chunk))}) ORDER BY id", chunk
            ):
                found[group].append(article_id)
        return found

    def duplicates_of(self, article_id: str) -> list[Duplicate]:
        """The other articles of ``article_id``'s group, most similar first."""
        row = self._db.execute("SELECT exact, signature, grp FROM docs WHERE id = ?", (article_id,)).fetchone()
        if row is None or row[2] is None:
            return []
        exact, signature, group = row
        result = []
        for other, other_exact, other_signature in self._db.execute(
            "SELECT id, exact, signature FROM docs WHERE grp = ? AND id <> ?", (group, article_id)
        ):
            same = other_exact == exact
            score = 1.0 if same else duplicates.similarity(signature, other_signature)
            result.append(Duplicate(other, round(score, 3), same))
        return sorted(result, key=lambda d: (-d.similarity, d.id))

    def count(self) -> tuple[int, int, int]:
        """(articles, groups, articles in a group): for summaries and benchmarks."""
        articles, grouped, groups = self._db.execute(
            "SELECT COUNT(*), COUNT(grp), COUNT(DISTINCT grp) FROM docs"
        ).fetchone()
        return articles, groups, grouped
