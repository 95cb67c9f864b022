"""Near-duplicate detection: precision on labelled pairs, and what it costs.

    python benchmarks/duplicates.py precision   # labelled pairs -> precision, per threshold
    python benchmarks/duplicates.py cost -n 6000 --repeat 2
    python benchmarks/duplicates.py all

``precision`` reads ``benchmarks/duplicate_pairs.tsv`` (ids and labels only: the
texts stay in ../shared/corpora), computes each pair's keys and sketches with
``searcher.duplicates`` and reports how many of the pairs the detector calls
copies were labelled "same". The pairs were drawn per band of true shingle
similarity (see the file's header), so the detector's precision is reported per
band as well as over the sample; bands near the threshold are over-sampled
compared with the corpora, where most flagged pairs are exact or near-exact
copies, so the sample's precision is a conservative figure.

``cost`` indexes the first N/2 articles of ant-news and of saudinewsnet twice in
the same run, with duplicate detection and without it (the store replaced by
one that does nothing), alternating which goes first, and reports the ratio of
the times. On the index with detection it then times the same queries with and
without folding duplicates (``Archive.search_grouped`` vs ``Archive.search``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from searcher import duplicates  # noqa: E402
from searcher.dupstore import STORE_FILE  # noqa: E402

CORPORA = REPO.parent / "shared" / "corpora"
LABELS = REPO / "benchmarks" / "duplicate_pairs.tsv"
BANDS = [(0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.01)]
THRESHOLDS = [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9]
QUERIES = [
    "السعودية", "النفط", "الرياض", "ترامب", "الحوثي", "القيادة تهنئ", "مجلس الوزراء", "كأس العالم",
    "الأمم المتحدة", "إيران", "خادم الحرمين", "الأسهم", "سوريا", "الإرهاب", "وزارة الصحة",
]


def read_labels(path: Path = LABELS) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("corpus\t"):
            continue
        corpus, a, b, label = line.split("\t")
        rows.append((corpus, a, b, label))
    return rows


def load_bodies(corpus: str, ids: set[str]) -> dict[str, str]:
    found = {}
    with gzip.open(CORPORA / corpus / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in ids:
                found[record["id"]] = record["body"] or ""
    return found


def true_jaccard(words_a: list[str], words_b: list[str]) -> float:
    a, b = duplicates.shingles(words_a), duplicates.shingles(words_b)
    return len(a & b) / len(a | b) if a | b else 0.0


def precision(args) -> None:
    labels = read_labels()
    ids_by_corpus = defaultdict(set)
    for corpus, a, b, _ in labels:
        ids_by_corpus[corpus] |= {a, b}
    bodies = {}
    for corpus, ids in ids_by_corpus.items():
        bodies.update(load_bodies(corpus, ids))
    rows = []
    for corpus, a, b, label in labels:
        words_a, words_b = duplicates.body_words(bodies[a]), duplicates.body_words(bodies[b])
        sketch_a, sketch_b = duplicates.sketch_body(bodies[a]), duplicates.sketch_body(bodies[b])
        exact = sketch_a.exact is not None and sketch_a.exact == sketch_b.exact
        both = sketch_a.signature and sketch_b.signature
        estimate = duplicates.similarity(sketch_a.signature, sketch_b.signature) if both else 0.0
        rows.append((corpus, label == "same", exact, estimate, true_jaccard(words_a, words_b)))

    def report(selected, title):
        flagged = [r for r in selected if r[2] or duplicates.is_near_duplicate(r[3])]
        right = sum(r[1] for r in flagged)
        positives = sum(r[1] for r in selected)
        found = sum(r[1] for r in flagged)
        p = right / len(flagged) if flagged else float("nan")
        print(
            f"{title:<14} pairs {len(selected):>4}  labelled same {positives:>4}  flagged {len(flagged):>4}  "
            f"precision {p:.3f}  same-story pairs found {found}/{positives}"
        )

    print(f"threshold {duplicates.SIMILARITY_THRESHOLD} (estimated Jaccard of word {duplicates.SHINGLE_WORDS}-shingles, "
          f"{duplicates.NUM_PERM} permutations), min {duplicates.MIN_WORDS} words\n")
    report(rows, "all")
    for corpus in sorted({r[0] for r in rows}):
        report([r for r in rows if r[0] == corpus], corpus)
    print("\nper band of true shingle Jaccard (precision of the flagged pairs in the band):")
    for lo, hi in BANDS:
        band = [r for r in rows if lo <= r[4] < hi]
        flagged = [r for r in band if r[2] or duplicates.is_near_duplicate(r[3])]
        same = sum(r[1] for r in band)
        p = sum(r[1] for r in flagged) / len(flagged) if flagged else float("nan")
        print(f"  [{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}  pairs {len(band):>3}  same {same:>3}  "
              f"flagged {len(flagged):>3}  precision {p:.3f}")
    print("\nother thresholds (exact copies always flagged):")
    for threshold in THRESHOLDS:
        flagged = [r for r in rows if r[2] or r[3] >= threshold]
        right = sum(r[1] for r in flagged)
        positives = sum(r[1] for r in rows)
        print(f"  {threshold:.2f}  flagged {len(flagged):>4}  precision {right / len(flagged):.3f}  "
              f"same-story pairs found {right}/{positives}")


class _NoStore:
    """Stands in for the duplicate store: indexing exactly as without detection."""

    @classmethod
    def for_writing(cls, index_dir, *, fresh=False):
        return cls()

    def add(self, article):
        return "unchanged"

    def close(self):
        pass


def _sample_file(n: int, folder: Path) -> Path:
    path = folder / "sample.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for corpus in ("ant-news", "saudinewsnet"):
            with gzip.open(CORPORA / corpus / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
                for i, line in enumerate(lines):
                    if i >= n // 2:
                        break
                    out.write(line)
    return path


def _index(path: Path, index_dir: Path, detect: bool) -> tuple[float, float]:
    from searcher import indexer
    from searcher.dupstore import DuplicateStore
    from searcher.ingest import CorpusReader

    indexer.DuplicateStore = DuplicateStore if detect else _NoStore
    try:
        started, cpu = time.perf_counter(), time.process_time()
        with indexer.Indexer(index_dir, rebuild=True) as writer:
            for article in CorpusReader([str(path)], on_problem=writer.report):
                writer.add(article)
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        indexer.DuplicateStore = DuplicateStore


def cost(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample = _sample_file(args.n, folder)
        # datasketch and numpy are imported once per process (~0.6 s): measured apart.
        started = time.perf_counter()
        duplicates.sketch_body("كلمة " * duplicates.MIN_WORDS)
        import_seconds = time.perf_counter() - started
        times = {True: [], False: []}
        cpu = {True: [], False: []}
        for repeat in range(args.repeat):
            order = (True, False) if repeat % 2 == 0 else (False, True)
            for detect in order:
                seconds, cpu_seconds = _index(sample, folder / f"ix-{detect}", detect)
                times[detect].append(seconds)
                cpu[detect].append(cpu_seconds)
                print(f"  run {repeat + 1}: {'with' if detect else 'without'} detection {seconds:.1f} s "
                      f"(CPU {cpu_seconds:.1f} s)", flush=True)
        with_s, without_s = statistics.median(times[True]), statistics.median(times[False])
        with_cpu, without_cpu = statistics.median(cpu[True]), statistics.median(cpu[False])
        index_dir = folder / "ix-True"
        store_size = (index_dir / STORE_FILE).stat().st_size
        index_size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file() and not p.name.startswith(STORE_FILE))
        from searcher.dupstore import DuplicateStore

        with DuplicateStore.for_reading(index_dir) as store:
            articles, groups, grouped = store.count()
        print(f"\n{args.n} articles (half ant-news, half saudinewsnet), median of {args.repeat}:")
        print(f"  without detection {without_s:.1f} s ({args.n / without_s:.0f}/s)")
        print(f"  with detection    {with_s:.1f} s ({args.n / with_s:.0f}/s)  ratio {with_s / without_s:.2f}")
        print(f"  CPU time (less disturbed by other processes): {without_cpu:.1f} s -> {with_cpu:.1f} s, "
              f"ratio {with_cpu / without_cpu:.2f}")
        print(f"  (datasketch import, once per process: {import_seconds:.2f} s)")
        print(f"  store {store_size / 2**20:.1f} MiB beside an index of {index_size / 2**20:.1f} MiB; "
              f"{grouped} articles in {groups} groups of {articles}")
        _query_cost(index_dir, args.query_repeat)


def _query_cost(index_dir: Path, repeat: int) -> None:
    from searcher.query import Archive, SearchRequest

    plain, grouped = [], []
    folded = 0
    with Archive(index_dir) as archive:
        for text in QUERIES:  # warm up
            archive.search(SearchRequest(text))
            archive.search_grouped(SearchRequest(text))
        for _ in range(repeat):
            for text in QUERIES:
                request = SearchRequest(text)
                started = time.process_time()
                archive.search(request)
                plain.append(time.process_time() - started)
                started = time.process_time()
                hits = archive.search_grouped(request)
                grouped.append(time.process_time() - started)
                folded += sum(len(h.similar_ids) > 0 for h in hits)
    p50 = statistics.median
    p90 = lambda xs: sorted(xs)[int(0.9 * len(xs))]  # noqa: E731
    print(f"\nquery CPU time, top 10 with snippets, {len(QUERIES)} queries x {repeat}:")
    print(f"  search          p50 {p50(plain) * 1000:.1f} ms  p90 {p90(plain) * 1000:.1f} ms")
    print(f"  search_grouped  p50 {p50(grouped) * 1000:.1f} ms  p90 {p90(grouped) * 1000:.1f} ms  "
          f"ratio of p50 {p50(grouped) / p50(plain):.2f}")
    print(f"  hits with a folded group: {folded / repeat:.0f} of {10 * len(QUERIES)} shown")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["precision", "cost", "all"])
    parser.add_argument("-n", type=int, default=6000, help="articles to index for the cost (half from each corpus)")
    parser.add_argument("--repeat", type=int, default=2, help="indexing runs of each kind")
    parser.add_argument("--query-repeat", type=int, default=5, help="rounds of the query set")
    args = parser.parse_args(argv)
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} not found: the benchmark needs the shared corpora beside the repository")
    if args.what in ("precision", "all"):
        precision(args)
    if args.what in ("cost", "all"):
        cost(args)


if __name__ == "__main__":
    main()
