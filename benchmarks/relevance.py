"""Retrieval quality of the project against plain baselines, on real Arabic test collections.

Run from the repository root::

    .venv/bin/python benchmarks/relevance.py [--collections quranqa23,arwiki,spelling] [--quick]

Needs ``ir-measures`` (which brings ``pytrec-eval-terrier``) and ``snowballstemmer``.
In one run, for each collection, every system (``relevance_systems``) indexes
the same documents in a temporary folder and runs the same queries, top 100:

* the project through its own library path (``Indexer`` + ``CorpusReader``,
  ``Archive`` + ``SearchRequest``): any word (``--any``: what retrieval test
  collections assume), the CLI's default (all words, then any), all words
  only (``--all``), and any word with the baselines' plain ranking;
* Whoosh's ``StandardAnalyzer``; the project's normalisation without
  stemming; the project's normalisation with Snowball's Arabic stemmer
  (all Whoosh's BM25F, title weight 2, any word).

Collections (``../shared/corpora``, beside the repository):

* ``quranqa23``: Qur'an QA 2023 Task A, train/dev/test. Scored the official way
  (QQA23_TaskA_eval.py: MAP and MRR over at most 10 passages; a zero-answer
  question scores 1 only if the run is the single docid -1) and on the
  answerable questions alone. The organisers' BM25 dev run is rescored as a
  check of the official scorer (MAP@10 0.1703, MRR@10 0.3133).
* ``arwiki``: arwiki-qa-knownitem, 2,316 questions with one gold paragraph each.
* ``spelling``: known-item queries from news titles, in the spellings people
  type (``relevance_spelling``), MRR@10 per variant and its ratio to the clean
  spelling's.

Queries are plain words: the characters of the project's query language
(quotes, parentheses, ``* ? : = - +`` …) become spaces and Latin is lower-cased
(``OR``/``AND``/``NOT`` would be operators), for every system alike. Scores
come from ir-measures (pytrec_eval); a query with no results counts as 0.
Progress goes to stderr, Markdown tables to stdout.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import ir_measures
from ir_measures import AP, RR, R, nDCG

try:
    import relevance_spelling as spelling
    from relevance_systems import RUN_LABELS, SYSTEMS, Run, SystemResult, run_system
except ImportError:  # run as a module: python -m benchmarks.relevance
    from benchmarks import relevance_spelling as spelling
    from benchmarks.relevance_systems import RUN_LABELS, SYSTEMS, Run, SystemResult, run_system

from searcher.terms import search_form

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
QURANQA = CORPORA / "quranqa23"
ARWIKI = CORPORA / "arwiki-qa-knownitem"
NEWS = [CORPORA / "ant-news" / "articles.jsonl.gz", CORPORA / "saudinewsnet" / "articles.jsonl.gz"]

DEPTH = 100
SEED = 20240601
COLLECTIONS = ("quranqa23", "arwiki", "spelling")
SPLITS = ("train", "dev", "test")
#: The organisers' BM25 on dev, official scorer (SOURCE.md of quranqa23).
ORGANISERS_DEV = {"MAP@10": 0.1703, "MRR@10": 0.3133}
ARWIKI_TARGET_MRR = 0.80
SPELLING_TARGET_RATIO = 0.97

MEASURES = {"MAP@10": AP @ 10, "MRR@10": RR @ 10, "nDCG@10": nDCG @ 10, "R@100": R @ 100}
FULL = {
    "docs": 20_000,
    "targets": 300,
    "noisy": 100,
    "limit_per_file": None,
    "arwiki_queries": None,
    "quranqa_splits": SPLITS,
}
QUICK = {
    "docs": 1_000,
    "targets": 30,
    "noisy": 10,
    "limit_per_file": 1_500,
    "arwiki_queries": 150,
    "quranqa_splits": ("dev", "test"),
}

Qrels = dict[str, dict[str, int]]

_SYNTAX = re.compile(r"[\"'()\[\]{}*?:=^~+\-\\/!&|<>]")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sanitise(text: str) -> str:
    """The query as plain words: no query-language syntax, Latin in lower case."""
    return " ".join(_SYNTAX.sub(" ", text).lower().split())


# --- Reading collections. --------------------------------------------------------------


def read_queries(path: Path) -> dict[str, str]:
    queries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, text = line.split("\t", 1)
            queries[qid.strip()] = text
    return queries


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, docid, rel = line.split()
            qrels.setdefault(qid, {})[docid] = int(rel)
    return qrels


def read_trec_run(path: Path) -> Run:
    """A TREC run file (tabs or spaces), best first by score, as the official scorer reads it."""
    run: Run = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, _, docid, _rank, score, *_ = line.split()
            run.setdefault(qid, []).append((docid, float(score)))
    return {qid: sorted(docs, key=lambda d: -d[1]) for qid, docs in run.items()}


@dataclass
class Collection:
    name: str
    docs_path: Path
    queries: dict[str, str]  # sanitised, as every system gets them
    raw_queries: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def load_quranqa(splits: Iterable[str] = SPLITS) -> Collection:
    raw = {}
    extra: dict = {"splits": {}}
    for split in splits:
        queries = read_queries(QURANQA / f"queries.{split}.tsv")
        raw.update(queries)
        official = read_qrels(QURANQA / f"qrels.{split}.official.txt")
        answerable = read_qrels(QURANQA / f"qrels.{split}.txt")
        zero = set((QURANQA / f"zero_answer_qids.{split}.txt").read_text().split())
        marked = {q for q, docs in official.items() if "-1" in docs}
        if marked != zero:
            raise SystemExit(f"quranqa23 {split}: zero_answer_qids and -1 qrels lines disagree")
        unjudged = sorted(set(queries) - set(official))
        extra["splits"][split] = {
            "qids": list(queries),
            "official": official,
            "answerable": answerable,
            "zero": zero,
            "unjudged": unjudged,
        }
    extra["organisers_dev"] = read_trec_run(QURANQA / "runs" / "bigIR_BM25.dev.organisers.tsv")
    return Collection("quranqa23", QURANQA / "docs.jsonl.gz", {q: sanitise(t) for q, t in raw.items()}, raw, extra)


def load_arwiki(limit: int | None) -> Collection:
    raw = read_queries(ARWIKI / "queries.tsv")
    qrels = read_qrels(ARWIKI / "qrels.txt")
    if limit is not None and limit < len(raw):
        keep = set(random.Random(SEED).sample(sorted(raw), limit))
        raw = {q: t for q, t in raw.items() if q in keep}
    qrels = {q: docs for q, docs in qrels.items() if q in raw}
    return Collection("arwiki", ARWIKI / "docs.jsonl.gz", {q: sanitise(t) for q, t in raw.items()}, raw, {"qrels": qrels})


def load_spelling(params: dict, workdir: Path) -> Collection:
    started = time.perf_counter()
    built = spelling.build(
        NEWS,
        n_docs=params["docs"],
        n_targets=params["targets"],
        n_noisy=params["noisy"],
        seed=SEED,
        limit_per_file=params["limit_per_file"],
    )
    docs_path = workdir / "spelling-docs.jsonl.gz"
    built.write_docs(docs_path)
    log(
        f"[spelling] {len(built.docs)} articles sampled, {len(built.by_variant['clean'])} targets "
        f"+ {len(built.by_variant[spelling.DOC_NOISE])} with document noise, {len(built.queries)} queries "
        f"({time.perf_counter() - started:.1f} s)"
    )
    queries = {q: sanitise(t) for q, t in built.queries.items()}
    return Collection("spelling", docs_path, queries, dict(built.queries), {"set": built})


# --- Scoring. ------------------------------------------------------------------------------


def per_query(run: Run, qrels: Qrels, names: Iterable[str]) -> dict[str, dict[str, float]]:
    """Measure -> value for every query of ``qrels``; a query the run has nothing for scores 0."""
    names = list(names)
    measures = [MEASURES[n] for n in names]
    run_dict = {q: {d: s for d, s in run.get(q, [])} for q in qrels if run.get(q)}
    values = {q: dict.fromkeys(names, 0.0) for q in qrels}
    by_measure = {MEASURES[n]: n for n in names}
    if run_dict:
        for metric in ir_measures.iter_calc(measures, qrels, run_dict):
            values[metric.query_id][by_measure[metric.measure]] = metric.value
    return values


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


def aggregate(run: Run, qrels: Qrels, names: Iterable[str]) -> dict[str, float]:
    names = list(names)
    values = per_query(run, qrels, names)
    return {n: mean(v[n] for v in values.values()) for n in names}


def as_submission(run: Run, qids: Iterable[str]) -> Run:
    """A run as a Qur'an QA submission: at most 10 passages; a question with none gets -1."""
    return {q: (run.get(q) or [])[:10] or [("-1", 1.0)] for q in qids}


def official_quranqa(run: Run, official: Qrels, zero: set[str]) -> dict[str, float]:
    """QQA23_TaskA_eval.py: AP and RR of the answerable questions, 1/0 for the zero-answer ones.

    The official script drops an answerable question that is missing from the
    run (pytrec_eval skips it) and counts a missing zero-answer question twice;
    a submission has every question (``as_submission``), so neither happens here.
    """
    answerable = {q: docs for q, docs in official.items() if q not in zero}
    values = per_query(run, answerable, ("MAP@10", "MRR@10"))
    aps = [v["MAP@10"] for v in values.values()]
    rrs = [v["MRR@10"] for v in values.values()]
    for q in official:
        if q in zero:
            hit = 1.0 if [d for d, _ in run.get(q, [])] == ["-1"] else 0.0
            aps.append(hit)
            rrs.append(hit)
    return {"MAP@10": mean(aps), "MRR@10": mean(rrs)}


# --- Tables. -------------------------------------------------------------------------------


def markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def f4(x: float) -> str:
    return "–" if x != x else f"{x:.4f}"


def no_hits(run: Run, qids: Iterable[str]) -> int:
    return sum(1 for q in qids if not run.get(q))


def quranqa_report(coll: Collection, runs: dict[str, Run], checks: list[str]) -> str:
    splits = coll.extra["splits"]
    organisers = coll.extra["organisers_dev"]
    dev = splits["dev"]
    check = official_quranqa(organisers, dev["official"], dev["zero"])
    ok = all(abs(check[m] - ORGANISERS_DEV[m]) < 5e-5 for m in ORGANISERS_DEV)
    checks.append(
        f"Organisers' BM25 dev run rescored with this script's official scorer: MAP@10 {check['MAP@10']:.4f}, "
        f"MRR@10 {check['MRR@10']:.4f} (published 0.1703 / 0.3133): {'reproduced' if ok else 'NOT reproduced'}"
    )
    header = [
        "split",
        "system",
        "official MAP@10",
        "official MRR@10",
        "MAP@10",
        "MRR@10",
        "nDCG@10",
        "R@100",
        "no hits",
    ]
    rows = []
    notes = []
    for split in splits:
        s = splits[split]
        judged = [q for q in s["qids"] if q in s["official"]]
        notes.append(
            f"{split}: {len(s['qids'])} questions, {len(judged)} scored officially "
            f"({len(s['answerable'])} answerable + {len(s['zero'])} zero-answer)"
            + (f"; no qrels at all, not scored: {', '.join(s['unjudged'])}" if s["unjudged"] else "")
        )
        systems = dict(runs)
        if split == "dev":
            systems["organisers"] = organisers
        for name, run in systems.items():
            off = official_quranqa(as_submission(run, judged), s["official"], s["zero"])
            ans = aggregate(run, s["answerable"], MEASURES)
            label = RUN_LABELS.get(name, "organisers' BM25 (Terrier, 5 passages)")
            rows.append(
                [
                    split,
                    label,
                    f4(off["MAP@10"]),
                    f4(off["MRR@10"]),
                    f4(ans["MAP@10"]),
                    f4(ans["MRR@10"]),
                    f4(ans["nDCG@10"]),
                    f4(ans["R@100"]),
                    str(no_hits(run, judged)),
                ]
            )
    intro = (
        "### Qur'an QA 2023 Task A (quranqa23)\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n- official = QQA23_TaskA_eval.py rules (zero-answer questions included; a system that returns "
        "passages scores 0 on them, one that returns nothing is submitted as -1 and scores 1); the other "
        "columns: answerable questions only (qrels.<split>.txt)\n\n"
    )
    return intro + markdown(header, rows)


def arwiki_report(coll: Collection, runs: dict[str, Run]) -> str:
    qrels = coll.extra["qrels"]
    header = ["system", "MAP@10", "MRR@10", "nDCG@10", "R@100", "no hits"]
    rows = []
    for name, run in runs.items():
        agg = aggregate(run, qrels, MEASURES)
        rows.append([RUN_LABELS[name], *(f4(agg[m]) for m in MEASURES), str(no_hits(run, qrels))])
    return f"### Arabic Wikipedia QA, known item (arwiki): {len(qrels)} questions\n\n" + markdown(header, rows)


def spelling_scores(coll: Collection, run: Run) -> dict[str, tuple[float, float, int]]:
    """Variant -> (MRR@10, ratio to clean on the same targets, n)."""
    built: spelling.SpellingSet = coll.extra["set"]
    rr = {q: v["MRR@10"] for q, v in per_query(run, built.qrels, ["MRR@10"]).items()}
    out = {}
    clean_all = mean(rr[q] for q in built.by_variant["clean"])
    for name, qids in built.by_variant.items():
        if not qids:
            continue
        value = mean(rr[q] for q in qids)
        if name == spelling.DOC_NOISE:
            base = clean_all  # other targets: unpaired
        else:
            base = mean(rr[q.rsplit("-", 1)[0] + "-clean"] for q in qids)
        out[name] = (value, value / base if base else float("nan"), len(qids))
    return out


def variant_labels() -> dict[str, str]:
    labels = {name: label for name, (label, _) in spelling.VARIANTS.items()}
    labels[spelling.DOC_NOISE] = spelling.DOC_NOISE_LABEL
    return labels


def spelling_report(coll: Collection, runs: dict[str, Run]) -> str:
    built: spelling.SpellingSet = coll.extra["set"]
    labels = variant_labels()
    names = [n for n in labels if built.by_variant.get(n)]
    header = ["system", *(labels[n] for n in names)]
    rows = [["n queries", *(str(len(built.by_variant[n])) for n in names)]]
    for name, run in runs.items():
        scores = spelling_scores(coll, run)
        cells = []
        for n in names:
            value, ratio, _ = scores[n]
            cells.append(f4(value) if n == "clean" else f"{value:.4f} ({ratio:.2f})")
        rows.append([RUN_LABELS[name], *cells])
    intro = (
        f"### Spelling robustness (spelling): {len(built.docs)} news articles, MRR@10 (ratio to clean)\n\n"
        "- each variant is scored on the targets it changes; the ratio is to the clean spelling's MRR@10 "
        "on those same targets\n"
        f"- {labels[spelling.DOC_NOISE]}: other targets, whose indexed title and body were given harakat and "
        "tatweel, searched with the clean query; its ratio is to the clean MRR@10 of all the other targets\n\n"
    )
    return intro + markdown(header, rows)


def spelling_failures(coll: Collection, run: Run, limit: int) -> str:
    """Queries whose variant ranks the target lower than the clean spelling does."""
    built: spelling.SpellingSet = coll.extra["set"]
    labels = variant_labels()
    rr = {q: v["MRR@10"] for q, v in per_query(run, built.qrels, ["MRR@10"]).items()}

    def rank(qid: str) -> str:
        target = next(iter(built.qrels[qid]))
        for i, (docid, _) in enumerate(run.get(qid, []), 1):
            if docid == target:
                return str(i)
        return "–"

    out = []
    for name, qids in built.by_variant.items():
        if name == "clean":
            continue
        failed = []
        for q in qids:
            clean_q = q.rsplit("-", 1)[0] + "-clean"
            base = rr.get(clean_q, 1.0) if name != spelling.DOC_NOISE else 1.0
            if rr[q] < base:
                failed.append(q)
        if not failed:
            continue
        what = "leave the target below rank 1" if name == spelling.DOC_NOISE else "rank the target lower than clean"
        out.append(f"\n{labels[name]}: {len(failed)} of {len(qids)} queries {what}")
        for q in failed[:limit]:
            clean_q = q.rsplit("-", 1)[0] + "-clean"
            clean_text = built.queries.get(clean_q, "")
            forms = " ".join(search_form(w) for w in coll.queries[q].split())
            out.append(
                f"- {q}: `{built.queries[q]}` -> terms `{forms}`; target rank {rank(q)}"
                + (f" (clean `{clean_text}`: rank {rank(clean_q)})" if clean_text else "")
                + f"; title: {built.titles[q][:90]}"
            )
    return "\n".join(out) if out else "\nnone"


# --- Targets. ------------------------------------------------------------------------------


def targets_report(collections: dict[str, Collection], results: dict[str, dict[str, Run]]) -> str:
    lines = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    if "quranqa23" in results:
        coll = collections["quranqa23"]
        for split in ("dev", "test"):
            s = coll.extra["splits"].get(split)
            if s is None:
                continue
            judged = [q for q in s["qids"] if q in s["official"]]
            for name in ("project-any", "project-default"):
                off = official_quranqa(as_submission(results["quranqa23"][name], judged), s["official"], s["zero"])
                for m in ("MAP@10", "MRR@10"):
                    ok = off[m] > ORGANISERS_DEV[m]
                    lines.append(
                        f"- Qur'an QA {split} official {m}, {RUN_LABELS[name]}: {off[m]:.4f} vs organisers' BM25 "
                        f"dev {ORGANISERS_DEV[m]:.4f}: {verdict(ok)}"
                    )
    if "arwiki" in results:
        qrels = collections["arwiki"].extra["qrels"]
        for name in ("project-any", "project-default"):
            mrr = aggregate(results["arwiki"][name], qrels, ["MRR@10"])["MRR@10"]
            lines.append(
                f"- arwiki MRR@10 ≥ {ARWIKI_TARGET_MRR:.2f}, {RUN_LABELS[name]}: {mrr:.4f}: "
                f"{verdict(mrr >= ARWIKI_TARGET_MRR)}"
            )
    if "spelling" in results:
        coll = collections["spelling"]
        labels = variant_labels()
        stock_clean = spelling_scores(coll, results["spelling"]["stock"])["clean"][0]
        for name in ("project-any", "project-default"):
            scores = spelling_scores(coll, results["spelling"][name])
            clean = scores["clean"][0]
            lines.append(
                f"- spelling, {RUN_LABELS[name]}: clean MRR@10 {clean:.4f} ≥ stock analyzer's {stock_clean:.4f}: "
                f"{verdict(clean >= stock_clean)}"
            )
            for variant, (value, ratio, n) in scores.items():
                if variant == "clean":
                    continue
                lines.append(
                    f"- spelling, {RUN_LABELS[name]}: {labels[variant]} ratio {ratio:.3f} "
                    f"(MRR@10 {value:.4f}, n={n}) ≥ {SPELLING_TARGET_RATIO}: "
                    f"{verdict(ratio >= SPELLING_TARGET_RATIO)}"
                )
    return "### Targets\n\n" + "\n".join(lines)


def timing_report(outcomes: list[SystemResult]) -> str:
    header = ["collection", "system", "docs", "index s", "docs/s", "run", "queries", "ms/query", "parse errors"]
    rows = []
    for r in outcomes:
        for name, seconds in r.query_seconds.items():
            n = len(r.runs[name])
            rows.append(
                [
                    r.collection,
                    r.system,
                    str(r.docs),
                    f"{r.index_seconds:.1f}",
                    f"{r.docs / r.index_seconds:.0f}" if r.index_seconds else "–",
                    name,
                    str(n),
                    f"{1000 * seconds / n:.1f}" if n else "–",
                    str(r.query_errors.get(name, 0)),
                ]
            )
    return "### Timing\n\n" + markdown(header, rows)


def write_runs(directory: Path, collection: str, runs: dict[str, Run]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, run in runs.items():
        with open(directory / f"{collection}.{name}.trec", "w", encoding="utf-8") as out:
            for qid, docs in run.items():
                for rank, (docid, score) in enumerate(docs, 1):
                    out.write(f"{qid} Q0 {docid} {rank} {score:g} {name}\n")


# --- Main. -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--collections",
        default=",".join(COLLECTIONS),
        help=f"comma-separated, from {', '.join(COLLECTIONS)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="a small subset, for a smoke run (< 1 min)")
    parser.add_argument("--jobs", type=int, default=2, help="systems indexed in parallel (default 2)")
    parser.add_argument("--save-runs", type=Path, metavar="DIR", help="also write every run as a TREC file")
    parser.add_argument(
        "--failures", type=int, default=0, metavar="N", help="list up to N spelling failures per variant"
    )
    args = parser.parse_args(argv)
    chosen = [c.strip() for c in args.collections.split(",") if c.strip()]
    unknown = set(chosen) - set(COLLECTIONS)
    if unknown:
        parser.error(f"unknown collection(s): {', '.join(sorted(unknown))}")
    args.collections = [c for c in COLLECTIONS if c in chosen]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    params = QUICK if args.quick else FULL
    started = time.perf_counter()
    collections: dict[str, Collection] = {}
    outcomes: list[SystemResult] = []
    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp:
        workdir = Path(tmp)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=context) as pool:
            futures = []

            def submit(coll: Collection) -> None:
                collections[coll.name] = coll
                changed = sum(1 for q, t in coll.raw_queries.items() if " ".join(t.split()) != coll.queries[q])
                log(f"[{coll.name}] {len(coll.queries)} queries ({changed} changed by removing query syntax)")
                for system in SYSTEMS:
                    futures.append(
                        pool.submit(run_system, coll.name, system, coll.docs_path, coll.queries, workdir, DEPTH)
                    )

            if "quranqa23" in args.collections:
                submit(load_quranqa(params["quranqa_splits"]))
            if "arwiki" in args.collections:
                submit(load_arwiki(params["arwiki_queries"]))
            if "spelling" in args.collections:
                submit(load_spelling(params, workdir))
            outcomes = [f.result() for f in futures]

    results: dict[str, dict[str, Run]] = {}
    for outcome in outcomes:
        results.setdefault(outcome.collection, {}).update(outcome.runs)
    order = list(RUN_LABELS)
    results = {c: {n: runs[n] for n in order if n in runs} for c, runs in results.items()}
    if args.save_runs:
        for name, runs in results.items():
            write_runs(args.save_runs, name, runs)

    checks: list[str] = []
    sections = [f"## Relevance benchmark ({'quick' if args.quick else 'full'} run)"]
    if "quranqa23" in results:
        sections.append(quranqa_report(collections["quranqa23"], results["quranqa23"], checks))
    if "arwiki" in results:
        sections.append(arwiki_report(collections["arwiki"], results["arwiki"]))
    if "spelling" in results:
        sections.append(spelling_report(collections["spelling"], results["spelling"]))
    sections.append(targets_report(collections, results))
    sections.append(timing_report(outcomes))
    if checks:
        sections.append("### Checks\n\n" + "\n".join(f"- {c}" for c in checks))
    if args.failures and "spelling" in results:
        sections.append(
            "### Spelling failures (project, OR)\n"
            + spelling_failures(collections["spelling"], results["spelling"]["project-any"], args.failures)
        )
    print("\n\n".join(sections))
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
