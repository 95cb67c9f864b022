"""What-if runs for ``relevance.py``: the project's index, ranked in other ways.

Run from the repository root::

    .venv/bin/python benchmarks/relevance_whatif.py [--collections quranqa23,arwiki,spelling] [--quick]

Evidence for ranking changes, without changing ``searcher/``: each collection
is indexed once by the project (``Indexer`` + ``CorpusReader``) and searched
with Whoosh directly, with the project's query parser and one setting changed
at a time. The first row, "as is", must give exactly the project's own run
(``Archive.search``, any word); the script checks that it does. Analysis
changes (another stemmer) need another index: ``relevance.py`` measures those
as baselines.

Settings tried:

* stop words: query words whose search form is in ``STOP_WORDS`` (question
  words, pronouns, prepositions, particles) are left out of the query;
* Robertson idf, ``log(1 + (N - df + 0.5) / (df + 0.5))`` as in Lucene and
  Terrier, instead of Whoosh's ``log(N / (df + 1)) + 1``, whose +1 gives a
  word found in every document a third of the weight of a rare one;
* BM25 k1/b, title boost, Whoosh's coordination factor for OR (documents
  matching more query words score higher);
* all-then-any: the project's default (all words) followed by the any-word
  hits it did not return, which is what the default would give if it fell
  back to OR instead of "No hits".
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldPlugin, syntax
from whoosh.scoring import BM25F

try:
    import relevance as rel
except ImportError:  # run as a module
    from benchmarks import relevance as rel

from searcher.indexer import Indexer
from searcher.ingest import CorpusReader
from searcher.query import Archive, SearchRequest, build_parser
from searcher.schema import DEFAULT_FIELD_BOOSTS, build_query_schema
from searcher.terms import analyse, search_form

#: Arabic function words as written; compared by their search forms. على folds to
#: علي, so leaving it out also leaves out the name Ali.
STOP_WORDS_WRITTEN = """
من ما ماذا لماذا متى أين كيف كم هل أي
هو هي هم هن هما أنا نحن أنت أنتم
في على إلى عن مع بين عند منذ خلال حتى ضد لدى
أن إن أو ثم قد لقد لم لن لا ليس بل لكن إلا إذا لو
كان كانت يكون تكون
الذي التي الذين اللذان اللتان اللاتي اللواتي ذلك تلك هذا هذه هؤلاء هناك هنا
كل بعض غير بعد قبل أيضا فقط
"""
STOP_WORDS = frozenset(search_form(w) for w in STOP_WORDS_WRITTEN.split())


class RobertsonBM25F(BM25F):
    """BM25F with the idf of Lucene and Terrier: near 0 for a word in every document."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        dc = parent.doc_count_all()
        return math.log(1 + (dc - n + 0.5) / (n + 0.5))


def without_stop_words(text: str) -> str:
    kept = [t for t in text.split() if not all(term.search in STOP_WORDS for term in analyse(t))]
    return " ".join(kept) if kept else text


#: name -> (weighting, field boosts, OR group, query rewrite)
Config = tuple[Callable[[], BM25F], dict[str, float], object, Callable[[str], str]]


def _same(text: str) -> str:
    return text


CONFIGS: dict[str, Config] = {
    "as is (BM25F k1=1.2 b=0.75, title 2, OR)": (BM25F, DEFAULT_FIELD_BOOSTS, syntax.OrGroup, _same),
    "stop words out of queries": (BM25F, DEFAULT_FIELD_BOOSTS, syntax.OrGroup, without_stop_words),
    "Robertson idf": (RobertsonBM25F, DEFAULT_FIELD_BOOSTS, syntax.OrGroup, _same),
    "stop words + Robertson idf": (RobertsonBM25F, DEFAULT_FIELD_BOOSTS, syntax.OrGroup, without_stop_words),
    "k1=0.9 b=0.4": (lambda: BM25F(K1=0.9, B=0.4), DEFAULT_FIELD_BOOSTS, syntax.OrGroup, _same),
    "k1=1.2 b=0.3": (lambda: BM25F(K1=1.2, B=0.3), DEFAULT_FIELD_BOOSTS, syntax.OrGroup, _same),
    "title boost 1": (BM25F, {"title": 1.0, "body": 1.0}, syntax.OrGroup, _same),
    "title boost 4": (BM25F, {"title": 4.0, "body": 1.0}, syntax.OrGroup, _same),
    "OR with coordination (0.9)": (BM25F, DEFAULT_FIELD_BOOSTS, syntax.OrGroup.factory(0.9), _same),
}
AS_IS = next(iter(CONFIGS))
ALL_THEN_ANY = "all words, then any word (AND, OR fallback)"


def _parser(schema, boosts: dict[str, float], group):
    parser = build_parser(schema, match_all=False)
    parser.remove_plugin_class(MultifieldPlugin)
    parser.add_plugin(MultifieldPlugin(list(boosts), fieldboosts=boosts))
    parser.group = group
    return parser


def whatif_runs(coll: rel.Collection, workdir: Path) -> dict[str, rel.Run]:
    index_dir = workdir / f"{coll.name}-whatif"
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    with Indexer(index_dir, rebuild=True) as indexer:
        indexer.add_all(CorpusReader([coll.docs_path], on_problem=indexer.report))
    rel.log(f"[{coll.name}] indexed in {time.perf_counter() - started:.1f} s")
    runs: dict[str, rel.Run] = {}
    schema = build_query_schema()
    ix = whoosh_index.open_dir(str(index_dir))
    for name, (weighting, boosts, group, rewrite) in CONFIGS.items():
        started = time.perf_counter()
        parser = _parser(schema, boosts, group)
        run: rel.Run = {}
        with ix.searcher(weighting=weighting()) as searcher:
            for qid, text in coll.queries.items():
                results = searcher.search(parser.parse(rewrite(text)), limit=rel.DEPTH)
                run[qid] = [(hit["id"], float(rel.DEPTH - i)) for i, hit in enumerate(results)]
        runs[name] = run
        rel.log(f"[{coll.name}] {name}: {time.perf_counter() - started:.1f} s")
    ix.close()
    with Archive(index_dir) as archive:
        project_or: rel.Run = {}
        fallback: rel.Run = {}
        for qid, text in coll.queries.items():
            any_word = archive.search(SearchRequest(text, limit=rel.DEPTH, match_all=False, snippets=False))
            all_words = archive.search(SearchRequest(text, limit=rel.DEPTH, match_all=True, snippets=False))
            project_or[qid] = [(h.id, 0.0) for h in any_word]
            ids = [h.id for h in all_words]
            ids += [h.id for h in any_word if h.id not in set(ids)]
            fallback[qid] = [(docid, float(rel.DEPTH - i)) for i, docid in enumerate(ids[: rel.DEPTH])]
    runs[ALL_THEN_ANY] = fallback
    same = all([d for d, _ in project_or[q]] == [d for d, _ in runs[AS_IS][q]] for q in coll.queries)
    rel.log(f"[{coll.name}] 'as is' equals the project's own run: {same}")
    if not same:
        raise SystemExit(f"{coll.name}: the 'as is' configuration does not reproduce Archive.search")
    shutil.rmtree(index_dir, ignore_errors=True)
    return runs


def quranqa_table(coll: rel.Collection, runs: dict[str, rel.Run]) -> str:
    header = ["setting"]
    splits = coll.extra["splits"]
    for split in splits:
        header += [f"{split} official MAP@10", f"{split} official MRR@10", f"{split} MRR@10 (answerable)"]
    rows = []
    for name, run in runs.items():
        row = [name]
        for split, s in splits.items():
            judged = [q for q in s["qids"] if q in s["official"]]
            off = rel.official_quranqa(rel.as_submission(run, judged), s["official"], s["zero"])
            ans = rel.aggregate(run, s["answerable"], ["MRR@10"])
            row += [rel.f4(off["MAP@10"]), rel.f4(off["MRR@10"]), rel.f4(ans["MRR@10"])]
        rows.append(row)
    return "### What if: Qur'an QA 2023 (project index)\n\n" + rel.markdown(header, rows)


def arwiki_table(coll: rel.Collection, runs: dict[str, rel.Run]) -> str:
    qrels = coll.extra["qrels"]
    header = ["setting", *rel.MEASURES]
    rows = []
    for name, run in runs.items():
        agg = rel.aggregate(run, qrels, rel.MEASURES)
        rows.append([name, *(rel.f4(agg[m]) for m in rel.MEASURES)])
    return f"### What if: arwiki, {len(qrels)} questions (project index)\n\n" + rel.markdown(header, rows)


def spelling_table(coll: rel.Collection, runs: dict[str, rel.Run]) -> str:
    labels = rel.variant_labels()
    built = coll.extra["set"]
    names = [n for n in labels if built.by_variant.get(n)]
    header = ["setting", *(labels[n] for n in names)]
    rows = []
    for name, run in runs.items():
        scores = rel.spelling_scores(coll, run)
        rows.append([name, *(rel.f4(scores[n][0]) for n in names)])
    return "### What if: spelling, MRR@10 (project index)\n\n" + rel.markdown(header, rows)


def main(argv: list[str] | None = None) -> int:
    args = rel.parse_args(argv)
    params = rel.QUICK if args.quick else rel.FULL
    started = time.perf_counter()
    sections = [f"## What-if rankings on the project's index ({'quick' if args.quick else 'full'} run)"]
    with tempfile.TemporaryDirectory(prefix="relevance-whatif-") as tmp:
        workdir = Path(tmp)
        if "quranqa23" in args.collections:
            coll = rel.load_quranqa(params["quranqa_splits"])
            sections.append(quranqa_table(coll, whatif_runs(coll, workdir)))
        if "arwiki" in args.collections:
            coll = rel.load_arwiki(params["arwiki_queries"])
            sections.append(arwiki_table(coll, whatif_runs(coll, workdir)))
        if "spelling" in args.collections:
            coll = rel.load_spelling(params, workdir)
            sections.append(spelling_table(coll, whatif_runs(coll, workdir)))
    print("\n\n".join(sections))
    rel.log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
