"""Subprocess side of ``benchmarks/speed.py``: one measured job per process.

Every job that ``speed.py`` times or whose peak memory it reads runs here, in a
fresh interpreter, so each figure starts from the same clean state. The command
line is read by hand (no argparse) and engines are imported only inside the job
that needs them, so a cold-start run of this file pays for nothing but the
engine it measures. Jobs::

    whoosh-index DIR FILE...            stock Whoosh baseline, one writer, add_document
    engine-index DIR JOBS FILE...       searcher's Indexer without its duplicate store (JOBS 0: default)
    fts5-index DB FILE...               SQLite FTS5 baseline, one transaction
    latency SYSTEM INDEX QUERIES WARMUP SNIPPETS
                                        per-query latencies, one open index -> JSON on stdout
    batch SYSTEM INDEX TOPICS SNIPPETS  every topic, hits as JSON lines on stdout
    cold SYSTEM INDEX QUERY SNIPPETS    one query, hits as JSON lines on stdout
    profile-index FILE DIR TOP          cProfile of searcher's Indexer + CorpusReader
    profile-queries INDEX QUERIES N TOP cProfile of N queries with snippets through Archive

SYSTEM is ``project``, ``whoosh`` or ``fts5``; SNIPPETS is ``1`` or ``0``;
QUERIES and WARMUP are JSON files of query records (see ``speed.py``).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time

#: The repository's folder, cut from file names in profiles.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

#: Tokens in an FTS5 snippet: about the length of the project's two 180-character passages.
FTS5_SNIPPET_TOKENS = 48


def iter_records(paths):
    """(id, title, body) of every JSON Lines record with some text, as searcher keeps them."""
    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                title = " ".join((record.get("title") or "").split())
                body = record.get("body") or ""
                if not title and not body.strip():
                    continue
                yield str(record.get("id") or f"{path}:{number}"), title, body


# --- indexing ------------------------------------------------------------------------


def whoosh_index(directory, paths):
    import os

    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StandardAnalyzer(), stored=True),
        body=TEXT(analyzer=StandardAnalyzer(), stored=True),
    )
    os.makedirs(directory, exist_ok=True)
    ix = index.create_in(directory, schema)
    writer = ix.writer()
    for doc_id, title, body in iter_records(paths):
        writer.add_document(id=doc_id, title=title, body=body)
    writer.commit()
    ix.close()


def engine_index(directory, jobs, paths):
    """searcher's Indexer as ``search index --rebuild`` runs it, without the duplicate
    store: what building the search index itself costs."""
    import searcher.indexer as indexer_module
    from searcher.ingest import CorpusReader
    from searcher.parallel import choose_jobs

    class NoDuplicateStore:
        @classmethod
        def for_writing(cls, *args, **kwargs):
            return cls()

        def add(self, article):
            return "added"

        def commit(self):
            pass

        def close(self):
            pass

    indexer_module.DuplicateStore = NoDuplicateStore
    reader = CorpusReader(paths, on_problem=lambda problem: None)
    with indexer_module.Indexer(directory, rebuild=True, jobs=choose_jobs(int(jobs) or None, reader.total_bytes)) as indexer:
        for article in reader:
            indexer.add(article)


def fts5_index(db_path, paths):
    import sqlite3

    con = sqlite3.connect(db_path)
    con.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body,"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    with con:
        con.executemany("INSERT INTO docs (id, title, body) VALUES (?, ?, ?)", iter_records(paths))
    con.close()


# --- searching -----------------------------------------------------------------------


def query_text(system, record):
    """The query string of a query record in each system's syntax (all: every word, or a phrase)."""
    words = record["words"]
    if system == "fts5":
        return '"' + " ".join(words) + '"' if record["kind"] == "phrase" else " ".join(f'"{w}"' for w in words)
    return '"' + " ".join(words) + '"' if record["kind"] == "phrase" else " ".join(words)


class ProjectEngine:
    def __init__(self, index_dir):
        from searcher.query import Archive, SearchRequest

        self.request = SearchRequest
        self.archive = Archive(index_dir)

    def search(self, text, snippets):
        hits = self.archive.search(self.request(text, limit=10, snippets=snippets))
        return [
            {"id": h.id, "title": h.title, "snippet": h.snippet.text if h.snippet else None} for h in hits
        ]


class WhooshEngine:
    def __init__(self, index_dir):
        from whoosh import index
        from whoosh.qparser import MultifieldParser

        self.ix = index.open_dir(index_dir)
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)

    def search(self, text, snippets):
        results = self.searcher.search(self.parser.parse(text), limit=10)
        if snippets:
            return [{"id": h["id"], "title": h["title"], "snippet": h.highlights("body")} for h in results]
        return [{"id": h["id"], "title": h["title"]} for h in results]


class Fts5Engine:
    def __init__(self, db_path):
        import sqlite3

        self.con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    def search(self, text, snippets):
        if snippets:
            sql = (
                "SELECT id, title, snippet(docs, 2, '[', ']', '…', ?) FROM docs"
                " WHERE docs MATCH ? ORDER BY rank LIMIT 10"
            )
            rows = self.con.execute(sql, (FTS5_SNIPPET_TOKENS, text)).fetchall()
            return [{"id": r[0], "title": r[1], "snippet": r[2]} for r in rows]
        rows = self.con.execute("SELECT id, title FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10", (text,))
        return [{"id": r[0], "title": r[1]} for r in rows.fetchall()]


ENGINES = {"project": ProjectEngine, "whoosh": WhooshEngine, "fts5": Fts5Engine}


def latency(system, index_path, queries_path, warmup_path, snippets):
    with open(queries_path, encoding="utf-8") as f:
        queries = json.load(f)
    with open(warmup_path, encoding="utf-8") as f:
        warmup = json.load(f)
    engine = ENGINES[system](index_path)
    for record in warmup:
        engine.search(query_text(system, record), snippets)
    clock = time.perf_counter
    millis, hits = [], []
    for record in queries:
        text = query_text(system, record)
        start = clock()
        found = engine.search(text, snippets)
        millis.append((clock() - start) * 1000.0)
        hits.append(len(found))
    json.dump({"ms": millis, "hits": hits}, sys.stdout)


def batch(system, index_path, topics_path, snippets):
    """What ``search query --topics`` does, with each baseline: every query, hits as JSON lines."""
    engine = ENGINES[system](index_path)
    out = sys.stdout
    with open(topics_path, encoding="utf-8") as f:
        for line in f:
            qid, _, text = line.rstrip("\n").partition("\t")
            for rank, hit in enumerate(engine.search(text, snippets), 1):
                hit.update(qid=qid, rank=rank)
                out.write(json.dumps(hit, ensure_ascii=False) + "\n")


def cold(system, index_path, text, snippets):
    engine = ENGINES[system](index_path)
    for rank, hit in enumerate(engine.search(text, snippets), 1):
        hit["rank"] = rank
        sys.stdout.write(json.dumps(hit, ensure_ascii=False) + "\n")


# --- profiles ------------------------------------------------------------------------


def _print_profile(profile, title, top):
    """Top functions by cumulative and by own time, with short file names."""
    import pstats

    stats = pstats.Stats(profile)
    rows = []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((_short(filename, line, func), ncalls, tottime, cumtime))
    total = stats.total_tt
    print(f"### {title}: {total:.2f} s under cProfile")
    for label, key in (("cumulative", 3), ("total (own) time", 2)):
        print(f"\ntop {top} by {label}:")
        print(f"{'ncalls':>10} {'tottime':>8} {'cumtime':>8} {'cum%':>6}  function")
        for name, ncalls, tottime, cumtime in sorted(rows, key=lambda r: r[key], reverse=True)[:top]:
            print(f"{ncalls:>10} {tottime:>8.3f} {cumtime:>8.3f} {100 * cumtime / total:>5.1f}%  {name}")
    print()


def _short(filename, line, func):
    if filename == "~":
        return func  # a builtin, e.g. <method 'finditer' of 're.Pattern' objects>
    if "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    elif filename.startswith(_ROOT):
        filename = filename[len(_ROOT) :]
    else:
        filename = re.sub(r"^.*/lib/python3\.\d+/", "", filename)
    return f"{filename}:{line}({func})"


def profile_index(path, directory, top):
    import cProfile

    from searcher.indexer import Indexer
    from searcher.ingest import CorpusReader

    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    with Indexer(directory, rebuild=True) as indexer:
        for article in CorpusReader([path], on_problem=indexer.report):
            indexer.add(article)
    profile.disable()
    wall = time.perf_counter() - start
    n = indexer.stats.processed
    print(f"(indexing {n} articles: {wall:.1f} s wall under the profiler, {n / wall:.0f} articles/s)")
    _print_profile(profile, f"indexing {n} articles (Indexer + CorpusReader, in-process)", top)


def profile_queries(index_dir, queries_path, n, top):
    import cProfile

    from searcher.query import Archive, SearchRequest

    with open(queries_path, encoding="utf-8") as f:
        queries = json.load(f)[:n]
    texts = [query_text("project", q) for q in queries]
    profile = cProfile.Profile()
    with Archive(index_dir) as archive:
        start = time.perf_counter()
        profile.enable()
        for text in texts:
            archive.search(SearchRequest(text, limit=10, snippets=True))
        profile.disable()
        wall = time.perf_counter() - start
    print(f"({len(texts)} queries: {wall:.2f} s wall under the profiler, {1000 * wall / len(texts):.1f} ms/query)")
    _print_profile(profile, f"{len(texts)} top-10 queries with snippets (Archive.search)", top)


def main(argv):
    job, args = argv[0], argv[1:]
    if job == "whoosh-index":
        whoosh_index(args[0], args[1:])
    elif job == "engine-index":
        engine_index(args[0], args[1], args[2:])
    elif job == "fts5-index":
        fts5_index(args[0], args[1:])
    elif job == "latency":
        latency(args[0], args[1], args[2], args[3], args[4] == "1")
    elif job == "batch":
        batch(args[0], args[1], args[2], args[3] == "1")
    elif job == "cold":
        cold(args[0], args[1], args[2], args[3] == "1")
    elif job == "profile-index":
        profile_index(args[0], args[1], int(args[2]))
    elif job == "profile-queries":
        profile_queries(args[0], args[1], int(args[2]), int(args[3]))
    else:
        raise SystemExit(f"unknown job {job!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
