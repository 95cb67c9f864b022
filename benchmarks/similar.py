"""Which "more like this" gives sensible neighbours on real news: own key terms or Whoosh's.

    python benchmarks/similar.py -n 6000 --seeds 200

Indexes the first N ant-news articles (with their categories: sport, economy,
middleEast ...) into a temporary index, then for random seed articles compares
the top 10 of

* ``Archive.similar`` (``searcher.similar.key_terms``: 25 search forms weighed
  by 1 + log tf times BM25 idf, function words and rare/common words left out),
* Whoosh's ``Searcher.more_like`` on the stored body (Bo1 model) with its default
  5 key terms, and with 25.

A neighbour "agrees" when it has the seed's category: a crude but label-free
check that the neighbours are about the same kind of news. Also reported: the
share of neighbours from the seed's own month (same events), and the time per
seed.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CORPUS = REPO.parent / "shared" / "corpora" / "ant-news" / "articles.jsonl.gz"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=6000)
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} not found: the benchmark needs the shared corpora beside the repository")

    from searcher.indexer import Indexer
    from searcher.ingest import CorpusReader
    from searcher.query import Archive

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl"
        with gzip.open(CORPUS, "rt", encoding="utf-8") as lines, sample.open("w", encoding="utf-8") as out:
            # Every 7th article: all six outlets and many categories, not one folder.
            out.writelines(islice(lines, 0, 7 * args.n, 7))
        index_dir = Path(tmp) / "index"
        with Indexer(index_dir) as indexer:
            for article in CorpusReader([str(sample)], on_problem=indexer.report):
                indexer.add(article)
        with Archive(index_dir) as archive:
            searcher = archive._searcher
            ids = sorted(stored["id"] for stored in searcher.all_stored_fields())
            seeds = random.Random(1).sample(ids, args.seeds)
            methods = {
                "key terms (Archive.similar)": lambda seed: [h.id for h in archive.similar(seed, snippets=False)],
                "Whoosh more_like, 5 terms": lambda seed: _more_like(searcher, seed, 5),
                "Whoosh more_like, 25 terms": lambda seed: _more_like(searcher, seed, 25),
            }
            print(f"{len(ids)} ant-news articles, {len(seeds)} seeds, top 10 neighbours\n")
            print(f"{'method':<30} {'same category':>14} {'same month':>11} {'ms/seed p50':>12}")
            for name, method in methods.items():
                agree, month, times = [], [], []
                for seed in seeds:
                    stored = searcher.document(id=seed)
                    started = time.perf_counter()
                    neighbours = method(seed)
                    times.append(time.perf_counter() - started)
                    for other in neighbours:
                        fields = searcher.document(id=other)
                        agree.append(fields.get("category") == stored.get("category"))
                        month.append((fields.get("date") or "")[:7] == (stored.get("date") or "")[:7])
                print(f"{name:<30} {statistics.mean(agree):>14.3f} {statistics.mean(month):>11.3f} "
                      f"{statistics.median(times) * 1000:>12.1f}")


def _more_like(searcher, seed: str, terms: int) -> list[str]:
    docnum = searcher.document_number(id=seed)
    body = searcher.stored_fields(docnum).get("body", "")
    results = searcher.more_like(docnum, "body", text=body, top=10, numterms=terms)
    return [hit["id"] for hit in results]


if __name__ == "__main__":
    main()
