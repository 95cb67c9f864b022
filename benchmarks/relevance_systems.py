"""The systems that ``relevance.py`` compares: each indexes a docs file and runs queries.

* ``project``: the project's own code path: ``searcher.indexer.Indexer`` fed by
  ``searcher.ingest.CorpusReader``, searched with ``searcher.query.Archive`` and
  ``SearchRequest`` (one open Archive, snippets off). It gives four runs: any
  word (``match_all=False``: what retrieval test collections assume), the
  CLI's default (all words, then any), all words only (``--all``), and any
  word with the ranking the baselines use (``PLAIN_RANKING``), which
  separates what the analysis does from what the ranking does.
* three baselines, each its own Whoosh index built here (id + title + body,
  BM25F with Whoosh's defaults, title weight 2, OR semantics):

  - ``stock``: Whoosh's ``StandardAnalyzer``, what a user of the engine gets
    without this project (``\\w+`` words, lower case, English stop words);
  - ``nostem``: the project's tokenizer and ``searcher.normalise.normalise``,
    no stemming (``searcher.analysis.exact_analyzer``);
  - ``snowball``: the project's tokenizer, Snowball's Arabic stemmer
    (``snowballstemmer``) on the word as written, then ``normalise``. Snowball
    does its own diacritic, tatweel and hamza clean-up before stemming and
    knows ة as a suffix, which normalising first (ة -> ه) would hide from it.

Baseline queries go through the project's own query parser
(``searcher.query.build_parser``) on the baseline's schema, so the query
structure (every word searched in title^2 and body, grouped with OR) is the
project's; only the analysis differs. The queries handed in are plain words
(``relevance.py`` removes query-language syntax first).

Whoosh pickles analyzers into the index, so the classes here must stay
importable under this module name while an index is open.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Filter, StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema

from searcher.analysis import ArabicTokenizer, exact_analyzer
from searcher.errors import QuerySyntaxError
from searcher.indexer import Indexer
from searcher.ingest import CorpusReader
from searcher.normalise import normalise
from searcher.query import Archive, Ranking, SearchRequest, build_parser
from searcher.schema import DEFAULT_FIELD_BOOSTS

#: A run: qid -> [(docid, score), ...] best first.
Run = dict[str, list[tuple[str, float]]]

SYSTEMS = ("project", "stock", "nostem", "snowball")

#: The ranking of the baselines: Whoosh's BM25F and idf, title weight 2, every
#: word weighed alike. The project's runs use ``Ranking()``, tuned by
#: ``relevance_tune.py``.
PLAIN_RANKING = Ranking(k1=1.2, b=0.75, title_boost=2.0, function_word_weight=1.0, robertson_idf=False)

#: Run names, in table order, with what each row means.
RUN_LABELS = {
    "project-any": "project, any word (--any)",
    "project-default": "project, default (all words, then any)",
    "project-all": "project, all words only (--all)",
    "project-plain": "project analysis, plain ranking, any word",
    "stock": "Whoosh StandardAnalyzer",
    "nostem": "project normalisation, no stemming",
    "snowball": "project normalisation + Snowball stemmer",
}


@lru_cache(maxsize=1)
def _snowball():
    import snowballstemmer

    return snowballstemmer.stemmer("arabic")


@lru_cache(maxsize=1 << 18)
def snowball_form(word: str) -> str:
    """Snowball's Arabic stem of a word as written, then the project's normalisation."""
    return normalise(_snowball().stemWord(word))


class SnowballFilter(Filter):
    """Each token -> ``snowball_form``; tokens that come out empty are dropped."""

    def __call__(self, tokens):
        for token in tokens:
            text = snowball_form(token.text)
            if text:
                token.text = text
                yield token


def baseline_analyzer(system: str):
    if system == "stock":
        return StandardAnalyzer()
    if system == "nostem":
        return exact_analyzer()
    if system == "snowball":
        return ArabicTokenizer() | SnowballFilter()
    raise ValueError(f"unknown baseline {system!r}")


@dataclass
class SystemResult:
    """What one system did on one collection: its runs and how long it took."""

    collection: str
    system: str
    runs: dict[str, Run]
    docs: int = 0
    index_seconds: float = 0.0
    query_seconds: dict[str, float] = field(default_factory=dict)
    query_errors: dict[str, int] = field(default_factory=dict)


def _log(collection: str, system: str, message: str) -> None:
    print(f"[{collection}/{system}] {message}", file=sys.stderr, flush=True)


def _read(docs_path: Path, problems: list) -> CorpusReader:
    return CorpusReader([docs_path], on_problem=problems.append)


def run_system(
    collection: str,
    system: str,
    docs_path: Path,
    queries: dict[str, str],
    workdir: Path,
    depth: int = 100,
) -> SystemResult:
    """Index ``docs_path`` with ``system`` in a fresh folder under ``workdir``, run every query."""
    index_dir = workdir / f"{collection}-{system}"
    shutil.rmtree(index_dir, ignore_errors=True)
    try:
        if system == "project":
            return _run_project(collection, docs_path, queries, index_dir, depth)
        return _run_baseline(collection, system, docs_path, queries, index_dir, depth)
    finally:
        shutil.rmtree(index_dir, ignore_errors=True)


def _run_project(collection: str, docs_path: Path, queries: dict[str, str], index_dir: Path, depth: int):
    started = time.perf_counter()
    with Indexer(index_dir, rebuild=True) as indexer:
        stats = indexer.add_all(CorpusReader([docs_path], on_problem=indexer.report))
    result = SystemResult(collection, "project", {}, docs=stats.added, index_seconds=time.perf_counter() - started)
    _log(collection, "project", f"indexed {stats.added} docs in {result.index_seconds:.1f} s "
         f"({stats.skipped} skipped)")
    runs = (
        ("project-any", Ranking(), dict(match_all=False)),
        ("project-default", Ranking(), dict(match_all=True)),
        ("project-all", Ranking(), dict(match_all=True, fill_with_any=False)),
        ("project-plain", PLAIN_RANKING, dict(match_all=False)),
    )
    for name, ranking, options in runs:
        run: Run = {}
        errors = 0
        started = time.perf_counter()
        with Archive(index_dir, ranking) as archive:
            for qid, text in queries.items():
                request = SearchRequest(text, limit=depth, snippets=False, qid=qid, **options)
                try:
                    hits = archive.search(request)
                except QuerySyntaxError:
                    hits = []
                    errors += 1
                run[qid] = [(hit.id, float(depth + 1 - hit.rank)) for hit in hits]
        result.runs[name] = run
        result.query_seconds[name] = time.perf_counter() - started
        result.query_errors[name] = errors
        _log(collection, "project", f"{name}: {len(queries)} queries in {result.query_seconds[name]:.1f} s")
    return result


def _run_baseline(
    collection: str, system: str, docs_path: Path, queries: dict[str, str], index_dir: Path, depth: int
):
    analyzer = baseline_analyzer(system)
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer),
        body=TEXT(analyzer=analyzer),
    )
    index_dir.mkdir(parents=True)
    started = time.perf_counter()
    ix = whoosh_index.create_in(str(index_dir), schema)
    problems: list = []
    writer = ix.writer(limitmb=256)
    docs = 0
    for article in _read(docs_path, problems):
        writer.add_document(id=article.id, title=article.title or "", body=article.body or "")
        docs += 1
    writer.commit()
    result = SystemResult(collection, system, {}, docs=docs, index_seconds=time.perf_counter() - started)
    _log(collection, system, f"indexed {docs} docs in {result.index_seconds:.1f} s ({len(problems)} skipped)")

    parser = build_parser(schema, match_all=False, field_boosts=PLAIN_RANKING.field_boosts)
    run: Run = {}
    errors = 0
    started = time.perf_counter()
    with ix.searcher(weighting=PLAIN_RANKING.weighting()) as searcher:
        for qid, text in queries.items():
            try:
                q = parser.parse(text)
                results = searcher.search(q, limit=depth)
                ids = [hit["id"] for hit in results]
            except Exception:  # a baseline that cannot parse a query simply finds nothing
                ids = []
                errors += 1
            run[qid] = [(docid, float(depth - i)) for i, docid in enumerate(ids)]
    ix.close()
    result.runs[system] = run
    result.query_seconds[system] = time.perf_counter() - started
    result.query_errors[system] = errors
    _log(collection, system, f"{len(queries)} queries in {result.query_seconds[system]:.1f} s")
    return result


__all__ = ["PLAIN_RANKING", "RUN_LABELS", "SYSTEMS", "Run", "SystemResult", "run_system", "snowball_form", "DEFAULT_FIELD_BOOSTS"]
