"""Random and hostile queries on a large index: foreign exceptions and slow queries.

Run from the repository root::

    .venv/bin/python benchmarks/query_fuzz.py --index-dir DIR [--build] [--queries 2000] [--seed 1] [--budget 1]

``--build`` first indexes both news corpora of ``../shared/corpora`` into DIR
(``search index --jobs 2``, about 4 minutes on 2 cores) unless DIR holds an
index already. The queries are those of ``tests/test_query_fuzz.py``: the
audited hostile queries first, then random strings of Arabic letters,
diacritics, ASCII and Arabic-Indic digits, operators, field names, whitespace
and words of the index's own titles, drawn with a fixed seed. Each runs as
``search query`` runs it (grouped hits, then "did you mean" when fewer than 3
hits have every word) on one open archive with the CLI's default time limit.

Printed (stdout): queries run, project errors by kind, foreign exceptions
(any other exception: there should be none), queries over the budget, and
p50/p95/max seconds. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from searcher.cli import DEFAULT_TIME_LIMIT  # noqa: E402
from searcher.errors import SearcherError  # noqa: E402
from searcher.query import Archive, SearchRequest  # noqa: E402
from tests.test_query_fuzz import HOSTILE, TOKENS  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"


def build(index_dir: Path, jobs: int) -> None:
    if (index_dir / "searcher.json").exists() or any(index_dir.glob("*.toc")):
        return
    paths = [str(CORPORA / name / "articles.jsonl.gz") for name in ("ant-news", "saudinewsnet")]
    print(f"indexing {', '.join(paths)} into {index_dir} ...", file=sys.stderr)
    start = time.perf_counter()
    search = Path(sys.executable).with_name("search")
    command = [str(search), "--index-dir", str(index_dir), "index", "-q", "--jobs", str(jobs), *paths]
    result = subprocess.run(command)
    if result.returncode not in (0, 1):
        sys.exit(f"indexing failed with exit code {result.returncode}")
    print(f"indexed in {time.perf_counter() - start:.0f} s", file=sys.stderr)


def title_words(archive: Archive, rng: random.Random, n: int = 500) -> list[str]:
    reader = archive._searcher.reader()
    docnums = list(reader.all_doc_ids())
    words: list[str] = []
    for docnum in rng.sample(docnums, min(n, len(docnums))):
        words.extend((archive._searcher.stored_fields(docnum).get("title") or "").split()[:3])
    return words


def draw_queries(words: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    tokens = TOKENS + words
    queries = list(HOSTILE)
    while len(queries) < n:
        queries.append("".join(rng.choice(tokens) for _ in range(rng.randint(1, 24))))
    return queries[:n]


def run_like_cli(archive: Archive, text: str) -> None:
    request = SearchRequest(text, limit=10)
    hits = archive.search_grouped(request)
    if len([hit for hit in hits if not hit.partial]) < 3:
        archive.suggest(request)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--build", action="store_true", help="index the shared news corpora first if DIR is empty")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds a query may take")
    args = parser.parse_args()
    if args.build:
        build(args.index_dir, args.jobs)

    errors: Counter[str] = Counter()
    foreign: list[tuple[str, str]] = []
    times: list[tuple[float, str]] = []
    with Archive(args.index_dir, time_limit=DEFAULT_TIME_LIMIT) as archive:
        articles = archive.stats().articles
        queries = draw_queries(title_words(archive, random.Random(args.seed)), args.queries, args.seed)
        for n, text in enumerate(queries, 1):
            start = time.perf_counter()
            try:
                run_like_cli(archive, text)
            except SearcherError as error:
                errors[type(error).__name__] += 1
            except Exception as error:  # noqa: BLE001 - what this benchmark looks for
                foreign.append((text, f"{type(error).__name__}: {error}"))
            times.append((time.perf_counter() - start, text))
            if n % 200 == 0:
                print(f"{n}/{len(queries)}", file=sys.stderr)

    seconds = [t for t, _ in times]
    slow = sorted((t for t in times if t[0] > args.budget), reverse=True)
    print(f"index: {articles:,} articles; queries: {len(queries):,} (seed {args.seed}, {len(HOSTILE)} audited ones first)")
    print(f"project errors: {sum(errors.values())} ({', '.join(f'{k} {v}' for k, v in errors.most_common()) or 'none'})")
    print(f"foreign exceptions: {len(foreign)}")
    for text, error in foreign[:10]:
        print(f"  {text[:80]!r}: {error[:120]}")
    print(f"over {args.budget:g} s: {len(slow)}")
    for t, text in slow[:10]:
        print(f"  {t:6.2f} s  {text[:80]!r}")
    print(
        f"seconds per query: p50 {percentile(seconds, 50):.3f}, p95 {percentile(seconds, 95):.3f}, "
        f"max {max(seconds):.3f}, mean {statistics.mean(seconds):.3f}"
    )


if __name__ == "__main__":
    main()
