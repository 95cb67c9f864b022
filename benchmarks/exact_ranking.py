"""What exact top-k ranking costs, against Whoosh's pruned top-k on the same index.

Run from the repository root on an index built by ``search index``::

    .venv/bin/python benchmarks/exact_ranking.py --index-dir DIR [--queries 300] [--seed 7]

For each query (1-, 2- and 3-word queries drawn with a fixed seed from the
index's own titles, as a user types them) the same planned engine query is run
twice in one process on one open index, interleaved:

* **exact**: ``Archive.search`` as the CLI runs it (every match scored, the page
  cut from the full ranking, ties by id), top 10, no snippets, no grouping;
* **pruned**: Whoosh's own ``searcher.search(q, limit=10)``, whose collector
  skips blocks and replaces matchers by quality bounds (what ``Archive.search``
  did before).

Printed: p50/p95/mean latency of each and their ratio, and on how many queries
the pruned top 10 differs from the exact one (ids in order; and beyond
the order of tied scores), or gives a different score to an article both have. Progress goes to stderr, the table to
stdout. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from searcher.function_words import FUNCTION_WORD_FORMS  # noqa: E402
from searcher.query import Archive, SearchRequest, _filter_query, plan_query  # noqa: E402
from searcher.terms import search_form  # noqa: E402
from searcher.tokenize import iter_words  # noqa: E402


def draw_queries(archive: Archive, n: int, seed: int) -> list[str]:
    """1-3 consecutive content words of random titles."""
    rng = random.Random(seed)
    reader = archive._searcher.reader()
    docnums = list(reader.all_doc_ids())
    queries: list[str] = []
    while len(queries) < n:
        title = archive._searcher.stored_fields(rng.choice(docnums)).get("title") or ""
        words = [w for _, _, w in iter_words(title) if len(w) >= 3 and search_form(w) not in FUNCTION_WORD_FORMS]
        size = 1 + len(queries) % 3
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        queries.append(" ".join(words[start : start + size]))
    return queries


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", required=True, type=Path)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()

    with Archive(args.index_dir) as archive:
        queries = draw_queries(archive, args.queries, args.seed)
        exact_ms: list[float] = []
        pruned_ms: list[float] = []
        differ = missed = rescored = 0
        for i, text in enumerate(queries):
            request = SearchRequest(text, limit=args.limit, snippets=False, match_all=True, fill_with_any=False)
            plan = plan_query(request, archive.ranking, archive._parsers[True])
            q, _ = archive._executable(plan.query, _filter_query(archive._schema, request))
            order = [0, 1] if i % 2 else [1, 0]
            for which in order:
                start = time.perf_counter()
                if which == 0:
                    exact = [(h.id, h.score) for h in archive.search(request)]
                    exact_ms.append((time.perf_counter() - start) * 1000)
                else:
                    results = archive._searcher.search(q, limit=args.limit)
                    pruned = [(r["id"], round(float(r.score), 4)) for r in results]
                    pruned_ms.append((time.perf_counter() - start) * 1000)
            if [i for i, _ in exact] != [i for i, _ in pruned]:
                differ += 1
            if [s for _, s in exact] != [s for _, s in pruned]:
                missed += 1  # not only ties in another order: other scores on the page
            exact_scores = dict(exact)
            if any(abs(exact_scores[i] - s) > 1e-3 for i, s in pruned if i in exact_scores):
                rescored += 1
            if (i + 1) % 50 == 0:
                print(f"{i + 1}/{len(queries)} queries", file=sys.stderr)

    def row(name, values):
        return f"| {name} | {statistics.median(values):.2f} | {percentile(values, 95):.2f} | {statistics.fmean(values):.2f} |"

    print(f"{len(queries)} queries (1-3 title words, all words), top {args.limit}, no snippets; index {args.index_dir}")
    print()
    print("| collector | p50 ms | p95 ms | mean ms |")
    print("|---|---|---|---|")
    print(row("exact (every match scored)", exact_ms))
    print(row("pruned (Whoosh top-k)", pruned_ms))
    print(
        f"| ratio exact/pruned | {statistics.median(exact_ms) / statistics.median(pruned_ms):.2f} | "
        f"{percentile(exact_ms, 95) / percentile(pruned_ms, 95):.2f} | "
        f"{statistics.fmean(exact_ms) / statistics.fmean(pruned_ms):.2f} |"
    )
    print()
    print(f"pruned top {args.limit} differs from the exact one: {differ} of {len(queries)} queries")
    print(f"  of which with other scores on the page (not only ties ordered differently): {missed}")
    print(f"pruned top {args.limit} scores an article differently: {rescored} of {len(queries)} queries")


if __name__ == "__main__":
    main()
