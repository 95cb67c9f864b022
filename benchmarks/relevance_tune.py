"""Tune ``searcher.query.Ranking`` on training data, one setting at a time.

Run from the repository root::

    .venv/bin/python benchmarks/relevance_tune.py               # tuning splits only
    .venv/bin/python benchmarks/relevance_tune.py --final       # + the held-out scores of the chosen settings

Indexes Qur'an QA 2023, arwiki and the news spelling set once with the
project's own code path, then searches them through ``Archive`` with one
``Ranking`` after another. Settings are chosen on Qur'an QA train, on a fixed
half of the arwiki questions (the "tune" half, by a hash of the question id)
and on the clean spelling of the news known-item set; Qur'an QA dev and the
other arwiki half are printed as a check on over-fitting. Qur'an QA test is printed only
with ``--final``, for the settings finally chosen: it is reported once, never
tuned on.

The search is coordinate-wise: each step varies one setting around the best
settings so far and keeps the best by the tuning score: the mean of three
parts, Qur'an QA train (official MAP@10 and MRR@10 averaged), arwiki tune-half
MRR@10 and the news set's clean MRR@10. Queries run
with ``match_all=False`` (the test collections are questions) and, as a check,
with the default (all words, then any).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

try:
    import relevance as rel
except ImportError:  # run as a module
    from benchmarks import relevance as rel

from searcher.indexer import Indexer
from searcher.ingest import CorpusReader
from searcher.query import Archive, Ranking, SearchRequest

STEPS: list[tuple[str, list]] = [
    ("function_word_weight", [1.0, 0.3, 0.1, 0.0]),
    ("robertson_idf", [False, True]),
    ("title_boost", [1.0, 1.5, 2.0, 3.0]),
    ("k1", [0.9, 1.2, 1.5, 2.0]),
    ("b", [0.4, 0.6, 0.75, 0.9]),
]


def tune_half(qid: str) -> bool:
    """A fixed half of the arwiki questions, chosen by hash."""
    return hashlib.sha1(qid.encode()).digest()[0] % 2 == 0


def build(coll: rel.Collection, workdir: Path) -> Path:
    index_dir = workdir / coll.name
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    with Indexer(index_dir, rebuild=True) as indexer:
        indexer.add_all(CorpusReader([coll.docs_path], on_problem=indexer.report))
    rel.log(f"[{coll.name}] indexed in {time.perf_counter() - started:.1f} s")
    return index_dir


def run(index_dir: Path, queries: dict[str, str], ranking: Ranking, match_all: bool) -> rel.Run:
    out: rel.Run = {}
    with Archive(index_dir, ranking) as archive:
        for qid, text in queries.items():
            hits = archive.search(SearchRequest(text, limit=rel.DEPTH, match_all=match_all, snippets=False))
            out[qid] = [(h.id, float(rel.DEPTH - i)) for i, h in enumerate(hits)]
    return out


class Scorer:
    def __init__(self, workdir: Path, final: bool):
        self.qqa = rel.load_quranqa()
        self.wiki = rel.load_arwiki(None)
        self.news = rel.load_spelling(rel.FULL, workdir)
        self.qqa_index = build(self.qqa, workdir)
        self.wiki_index = build(self.wiki, workdir)
        self.news_index = build(self.news, workdir)
        clean = set(self.news.extra["set"].by_variant["clean"])
        self.news_qrels = {q: d for q, d in self.news.extra["set"].qrels.items() if q in clean}
        self.final = final
        qrels = self.wiki.extra["qrels"]
        self.wiki_halves = {
            "tune": {q: d for q, d in qrels.items() if tune_half(q)},
            "check": {q: d for q, d in qrels.items() if not tune_half(q)},
        }
        self.tune_queries = {
            "qqa": {q: t for q, t in self.qqa.queries.items() if q in self.qqa.extra["splits"]["train"]["qids"]},
            "wiki": {q: t for q, t in self.wiki.queries.items() if q in self.wiki_halves["tune"]},
            "news": {q: t for q, t in self.news.queries.items() if q in self.news_qrels},
        }

    def qqa_official(self, run_: rel.Run, split: str) -> dict[str, float]:
        s = self.qqa.extra["splits"][split]
        judged = [q for q in s["qids"] if q in s["official"]]
        return rel.official_quranqa(rel.as_submission(run_, judged), s["official"], s["zero"])

    def tuning_score(self, ranking: Ranking) -> tuple[float, dict[str, float]]:
        qqa = self.qqa_official(run(self.qqa_index, self.tune_queries["qqa"], ranking, False), "train")
        wiki = rel.aggregate(run(self.wiki_index, self.tune_queries["wiki"], ranking, False), self.wiki_halves["tune"], ["MRR@10"])
        news = rel.aggregate(run(self.news_index, self.tune_queries["news"], ranking, False), self.news_qrels, ["MRR@10"])
        parts = {
            "train MAP@10": qqa["MAP@10"],
            "train MRR@10": qqa["MRR@10"],
            "arwiki tune MRR@10": wiki["MRR@10"],
            "news clean MRR@10": news["MRR@10"],
        }
        return ((qqa["MAP@10"] + qqa["MRR@10"]) / 2 + wiki["MRR@10"] + news["MRR@10"]) / 3, parts

    def report(self, ranking: Ranking) -> list[str]:
        """Every split for one ranking; test only with --final."""
        lines = []
        for match_all, label in ((False, "any word"), (True, "default: all words, then any")):
            qqa_run = run(self.qqa_index, self.qqa.queries, ranking, match_all)
            wiki_run = run(self.wiki_index, self.wiki.queries, ranking, match_all)
            splits = ["train", "dev"] + (["test"] if self.final else [])
            cells = []
            for split in splits:
                off = self.qqa_official(qqa_run, split)
                ans = rel.aggregate(qqa_run, self.qqa.extra["splits"][split]["answerable"], ["MRR@10"])
                cells.append(f"QQA {split} {off['MAP@10']:.4f}/{off['MRR@10']:.4f} (answerable MRR {ans['MRR@10']:.4f})")
            for half, qrels in self.wiki_halves.items():
                cells.append(f"arwiki {half} {rel.aggregate(wiki_run, qrels, ['MRR@10'])['MRR@10']:.4f}")
            cells.append(f"arwiki all {rel.aggregate(wiki_run, self.wiki.extra['qrels'], ['MRR@10'])['MRR@10']:.4f}")
            news_run = run(self.news_index, self.tune_queries["news"], ranking, match_all)
            cells.append(f"news clean {rel.aggregate(news_run, self.news_qrels, ['MRR@10'])['MRR@10']:.4f}")
            lines.append(f"- {label}: " + "; ".join(cells))
        return lines


def parse_settings(text: str) -> Ranking:
    """A Ranking from 'name=value,...'; unnamed settings keep their defaults."""
    values: dict[str, object] = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        default = getattr(Ranking(), name)
        values[name] = value == "True" if isinstance(default, bool) else float(value)
    return Ranking(**values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--final", action="store_true", help="also score Qur'an QA test, for the chosen settings only")
    parser.add_argument("--start", default="", help="starting settings, e.g. 'title_boost=2,k1=1.2'")
    args = parser.parse_args(argv)
    best = parse_settings(args.start)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="relevance-tune-") as tmp:
        scorer = Scorer(Path(tmp), args.final)
        print("## Ranking tuned coordinate-wise (tuning score: mean of QQA train official MAP@10/MRR@10, arwiki tune-half MRR@10, news clean MRR@10)\n")
        print(f"Start: {best}\n")
        best_score, _ = scorer.tuning_score(best)
        for name, values in STEPS:
            print(f"### {name}\n\n| {name} | tuning score | QQA train MAP@10 | QQA train MRR@10 | arwiki tune MRR@10 | news clean MRR@10 |\n|---|---|---|---|---|---|")
            for value in values:
                candidate = dataclasses.replace(best, **{name: value})
                score, parts = scorer.tuning_score(candidate)
                print(f"| {value} | {score:.4f} | " + " | ".join(f"{v:.4f}" for v in parts.values()) + " |", flush=True)
                if score > best_score + 1e-4:
                    best, best_score = candidate, score
            print(f"\nkept: {name}={getattr(best, name)}\n", flush=True)
        print(f"## Chosen: {best} (tuning score {best_score:.4f})\n")
        print("\n".join(scorer.report(best)))
        print("\n## Defaults before tuning (Whoosh idf, function words as other words, title 2)\n")
        print("\n".join(scorer.report(Ranking(function_word_weight=1.0, robertson_idf=False))))
    rel.log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
