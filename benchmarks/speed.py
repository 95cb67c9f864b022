"""How fast is searcher, against stock Whoosh and SQLite FTS5 on the same texts?

Run from the repository root (about 10.5 minutes on 2 cores for the full
corpora, 1 minute with ``--limit 5000``)::

    .venv/bin/python benchmarks/speed.py [--limit N] [--queries 500] [--jobs N] [--out DIR] [--wait-quiet 3600]

Corpora: ant-news and saudinewsnet (``shared/corpora`` beside the repository,
72,716 articles); ``--limit N`` takes the first N articles over the two files.
searcher is measured the way a user runs it, through whatever the installed
package currently does: ``search index`` and ``search query`` as real processes,
and ``searcher.query.Archive`` in one process for per-query latency. Every
figure is printed beside two baselines built and queried in the same run on the
same texts, with the ratios:

* **whoosh-stock**: id (ID, stored, unique), title and body (TEXT with
  StandardAnalyzer, stored), one process, ``ix.writer()`` + ``add_document``;
  queried with a MultifieldParser over title/body, ``hit.highlights("body")``
  for snippets;
* **fts5**: SQLite FTS5 (``unicode61 remove_diacritics 2``), one transaction of
  inserts; ``ORDER BY rank`` (bm25), ``snippet()`` for snippets.

Measured:

* indexing: articles/s, MB/s of UTF-8 title+body, wall and CPU seconds (CPU of
  the process and every process it waited for), peak RSS (``ru_maxrss`` of the
  largest process, from ``wait4``) and the peak PSS of the whole process tree
  (sampled from /proc every 0.25 s, which counts the indexing workers
  together), index size and its ratio to the text, also split into the search
  engine's files and the rest (the duplicate store); ``search index`` runs with
  its default jobs (one per core) or ``--jobs N``, and the same build is measured
  again with ``--jobs 1`` and without the duplicate store (``--no-variants``
  skips both);
* incremental: ``search index`` again over the unchanged corpus;
* queries: p50/p95/p99 of top-10 queries with and without snippets, in one
  process with one open index (``Archive`` + ``SearchRequest``), after 20
  warm-up queries; and ``search query --topics FILE --format jsonl`` as one
  process, total wall / number of queries (the baselines: the same loop in a
  script of ``_speed_worker.py``);
* cold start: a fresh ``search query "..." --format jsonl`` process, median and
  p90, and ``python -X importtime`` of it (top 10 cumulative imports);
* profiles: cProfile of indexing a 3,000-article subset in-process (``Indexer``
  + ``CorpusReader``) and of 200 queries with snippets.

Queries are drawn with a fixed seed from the articles' text: equal numbers of
1-, 2- and 3-word queries (all words must match) and 2-word phrases, words of
three or more Arabic letters without diacritics and not among a few dozen
function words, so that every engine tokenizes them alike.

The CPU that other processes used during each measured run is read from
/proc/stat and reported, with a warning when it may have slowed the figures;
``--wait-quiet SECONDS`` first waits for the machine to be idle. Progress goes
to stderr, the report to stdout; ``--out DIR`` also writes the raw figures
(``speed.json``, per-query latencies included) and the topics file there. Only
the standard library is used. Results and their reading: docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _speed_worker import query_text  # noqa: E402  (the same query syntax as the worker)

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
CORPUS_FILES = [CORPORA / "ant-news" / "articles.jsonl.gz", CORPORA / "saudinewsnet" / "articles.jsonl.gz"]
WORKER = HERE / "_speed_worker.py"
PYTHON = sys.executable
SYSTEMS = ("project", "whoosh", "fts5")
LABELS = {"project": "project", "whoosh": "whoosh-stock", "fts5": "fts5"}
#: (command, wall s, cores used by other processes meanwhile) of every measured run.
OTHER_LOAD: list[tuple[str, float, float]] = []
#: Above this many cores used by others during a run, the report warns that figures are disturbed.
BUSY_WARNING = 0.2
MIN_LOAD_WALL_S = 2.0

#: The issue's targets (see docs/performance.md).
TARGETS = {
    "index_vs_whoosh": 2.5,
    "index_rate": 600.0,
    "peak_rss_mb": 600.0,
    "snippets_p50_ms": 8.0,
    "snippets_p95_ms": 25.0,
    "plain_p50_ms": 3.0,
    "cold_median_s": 0.20,
    "size_ratio": 1.2,
    "incremental_fraction": 0.10,
}

_CLEAN_WORD = re.compile(r"^[\u0621-\u063A\u0641-\u064A]{3,}$")  # Arabic letters only, no marks or tatweel
_EDGE_PUNCTUATION = "،؛؟.,:;!?\"'()[]{}«»<>-–—…/\\|*#"
#: Function words no one searches for (folded spellings are listed too).
STOPWORDS = set(
    """
    التي الذي الذين اللذين اللتين اللواتي هذا هذه ذلك تلك هؤلاء أولئك اولئك هناك هنا
    كان كانت كانوا يكون تكون وكان وكانت ليس ليست لكن ولكن إلى الى على عليه عليها علي
    وفي وعلى ومن وإلى والى وعن ومع وأن وان وقد وهو وهي وهم ولا وما ولم أنه انه أنها انها
    إنه انه أنهم انهم إنها قال وقال قالت وقالت أيضا ايضا أيضاً خلال حيث غير منذ فيه فيها
    بين بعد قبل عند حتى كما كل بها به لها له لهم عن مع ثم أو او أن ان إن التى الذى
    """.split()
)


# --- measuring one process -------------------------------------------------------------


@dataclass
class Run:
    """What one measured child process took."""

    argv: list[str]
    wall_s: float
    cpu_s: float
    maxrss_mb: float  # ru_maxrss: the largest single process of the tree
    tree_pss_mb: float | None  # sampled peak of the PSS summed over the process tree
    tree_rss_mb: float | None  # the same with RSS (counts shared pages once per process)
    returncode: int
    stderr: str = ""
    others_cores: float | None = None  # CPU the rest of the machine used meanwhile, in cores


def _machine_busy_s() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (all cores, from /proc/stat)."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class _TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants from /proc."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_pss_kb = 0
        self.peak_rss_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._done.set()
        if self.ident is not None:
            self.join()

    def sample(self) -> None:
        pss = rss = 0
        for pid in self._tree():
            pss += _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss:")
            rss += _proc_kb(f"/proc/{pid}/status", "VmRSS:")
        self.peak_pss_kb = max(self.peak_pss_kb, pss)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(name))
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        return tree


def _proc_kb(path: str, key: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def run_measured(argv: list[str], *, stdout_path: Path | None = None, sample: bool = True, ok=(0,)) -> Run:
    """Run ``argv`` to the end; wall time, CPU and peak memory of it and its descendants."""
    argv = [str(a) for a in argv]
    with tempfile.TemporaryFile() as err:
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        proc = sampler = None
        try:
            busy_before = _machine_busy_s()
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            sampler = _TreeSampler(proc.pid) if sample else None
            if sampler:
                sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            busy_after = _machine_busy_s()
            proc.returncode = os.waitstatus_to_exitcode(status)
        except BaseException:
            if proc is not None and proc.returncode is None:
                proc.kill()  # interrupted: don't leave a measured job running
                proc.wait()
            raise
        finally:
            if sampler:
                sampler.stop()
            if stdout_path:
                out.close()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    run = Run(
        argv=argv,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,  # kB on Linux
        tree_pss_mb=sampler.peak_pss_kb / 1024 if sampler and sampler.peak_pss_kb else None,
        tree_rss_mb=sampler.peak_rss_kb / 1024 if sampler and sampler.peak_rss_kb else None,
        returncode=proc.returncode,
        stderr=stderr,
    )
    if busy_before is not None and busy_after is not None and wall > 0:
        run.others_cores = max(0.0, (busy_after - busy_before - run.cpu_s) / wall)
        OTHER_LOAD.append((" ".join(Path(a).name for a in argv[:4]), wall, run.others_cores))
    if proc.returncode not in ok:
        raise SystemExit(f"command failed with exit code {proc.returncode}: {' '.join(argv)}\n{stderr[-4000:]}")
    return run


def search_command() -> list[str]:
    """The ``search`` entry point of the interpreter running this script (the project's venv)."""
    beside = Path(PYTHON).parent / "search"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("search")
    if found is None:
        raise SystemExit("no `search` command beside this Python or on PATH: install the project first")
    return [found]


def worker(*args) -> list[str]:
    return [PYTHON, str(WORKER), *map(str, args)]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- corpus and queries --------------------------------------------------------------


@dataclass
class Corpus:
    files: list[Path]  # what every engine indexes
    articles: int  # records with some text (what searcher keeps)
    records: int  # JSON lines taken
    text_bytes: int  # UTF-8 bytes of title + body
    profile_file: Path  # the first records, for the in-process profile
    profile_articles: int


def _records(paths, limit=None):
    """(raw line, parsed record) of the first ``limit`` non-blank lines over ``paths``."""
    taken = 0
    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as stream:
            for line in stream:
                if not line.strip():
                    continue
                if limit is not None and taken >= limit:
                    return
                taken += 1
                yield line, json.loads(line)


def _text(record) -> tuple[str, str]:
    title = " ".join((record.get("title") or "").split())
    return title, record.get("body") or ""


def prepare_corpus(work: Path, limit: int | None, profile_articles: int) -> Corpus:
    for path in CORPUS_FILES:
        if not path.exists():
            raise SystemExit(f"corpus not found: {path}")
    subset = work / f"first-{limit}.jsonl" if limit else None
    profile_file = work / f"profile-{profile_articles}.jsonl"
    articles = records = text_bytes = profiled = 0
    with open(profile_file, "wb") as prof, (open(subset, "wb") if subset else open(os.devnull, "wb")) as sub:
        for line, record in _records(CORPUS_FILES, limit):
            records += 1
            if subset:
                sub.write(line if line.endswith(b"\n") else line + b"\n")
            if profiled < profile_articles:
                prof.write(line if line.endswith(b"\n") else line + b"\n")
                profiled += 1
            title, body = _text(record)
            if not title and not body.strip():
                continue
            articles += 1
            text_bytes += len(title.encode("utf-8")) + len(body.encode("utf-8"))
    return Corpus(
        files=[subset] if subset else list(CORPUS_FILES),
        articles=articles,
        records=records,
        text_bytes=text_bytes,
        profile_file=profile_file,
        profile_articles=profiled,
    )


def _words(text: str) -> list[str]:
    """Whitespace-separated words with edge punctuation cut; "" where a word is not clean Arabic."""
    out = []
    for raw in text.split():
        word = raw.strip(_EDGE_PUNCTUATION)
        out.append(word if _CLEAN_WORD.match(word) and word not in STOPWORDS else "")
    return out


def draw_queries(corpus: Corpus, n: int, warmup: int, seed: int) -> tuple[list[dict], list[dict]]:
    """``n`` measured and ``warmup`` warm-up queries: 1-3 words of one article, or 2 adjacent words."""
    rng = random.Random(seed)
    wanted = n + warmup
    candidates = rng.sample(range(corpus.records), min(corpus.records, 4 * wanted + 50))
    chosen = set(candidates)
    texts: dict[int, list[str]] = {}
    for number, (_line, record) in enumerate(_records(corpus.files)):
        if number in chosen:
            title, body = _text(record)
            texts[number] = _words(title + "\n" + body)
    kinds = ["1w", "2w", "3w", "phrase"] * (wanted // 4 + 1)
    rng.shuffle(kinds)
    queries: list[dict] = []
    for number in candidates:
        if len(queries) == wanted:
            break
        words = texts[number]
        kind = kinds[len(queries)]
        if kind == "phrase":
            starts = [i for i in range(len(words) - 1) if words[i] and words[i + 1] and words[i] != words[i + 1]]
            if not starts:
                continue
            i = rng.choice(starts)
            picked = [words[i], words[i + 1]]
        else:
            k = int(kind[0])
            first_at: dict[str, int] = {}
            for i, w in enumerate(words):
                if w:
                    first_at.setdefault(w, i)
            if len(first_at) < k:
                continue
            picked = sorted(rng.sample(sorted(first_at), k), key=first_at.get)
        queries.append({"kind": kind, "words": picked, "article": number})
    if len(queries) < wanted:
        raise SystemExit(f"only {len(queries)} queries could be drawn from {corpus.records} articles")
    for i, q in enumerate(queries):
        q["qid"] = f"q{i + 1 - warmup}" if i >= warmup else f"w{i + 1}"
    return queries[warmup:], queries[:warmup]


# --- figures -------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": statistics.median(values),
        "p95": cuts[94],
        "p99": cuts[98],
        "mean": statistics.fmean(values),
        "max": max(values),
    }


def dir_size(path: Path) -> int:
    if path.is_file():
        siblings = [path] + [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]
        return sum(p.stat().st_size for p in siblings if p.exists())
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def index_figures(run: Run, corpus: Corpus, size: int) -> dict:
    mb = corpus.text_bytes / 1e6
    return {
        "wall_s": run.wall_s,
        "cpu_s": run.cpu_s,
        "articles_per_s": corpus.articles / run.wall_s,
        "mb_per_s": mb / run.wall_s,
        "cpu_per_wall": run.cpu_s / run.wall_s,
        "peak_rss_mb": run.maxrss_mb,
        "tree_pss_mb": run.tree_pss_mb,
        "tree_rss_mb": run.tree_rss_mb,
        "others_cores": run.others_cores,
        "size_bytes": size,
        "size_mb": size / 1e6,
        "size_ratio": size / corpus.text_bytes,
    }


def folder_parts(path: Path) -> dict:
    """The index folder's size split into the search engine's files (segments and
    tables of contents) and the rest (the duplicate store, the version file)."""
    engine = re.compile(r"^(_?MAIN_.*|MAIN\.tmp)$")
    parts = {"engine_bytes": 0, "other_bytes": 0}
    for item in path.iterdir():
        size = dir_size(item) if item.is_dir() else item.stat().st_size
        parts["engine_bytes" if engine.match(item.name) else "other_bytes"] += size
    return parts


def index_variants(search, corpus: Corpus, work: Path) -> dict:
    """The project's full build again: in one process (``--jobs 1``), and with every
    job but without the duplicate store, to tell the parts' costs apart."""
    variants = {}
    commands = {
        "one_job": [*search, "--index-dir", work / "project-one-job", "index", "-q", "--jobs", "1", *corpus.files],
        "no_dupstore": worker("engine-index", work / "project-no-dupstore", 0, *corpus.files),
    }
    for name, cmd in commands.items():
        log(f"indexing with the project ({name.replace('_', ' ')}) …")
        run = run_measured(cmd, ok=(0, 1))
        target = work / ("project-one-job" if name == "one_job" else "project-no-dupstore")
        variants[name] = index_figures(run, corpus, dir_size(target))
        log(f"  {run.wall_s:.1f} s, {corpus.articles / run.wall_s:.0f} articles/s")
        shutil.rmtree(target, ignore_errors=True)
    return variants


def parse_importtime(stderr: str) -> list[tuple[str, int, int, int]]:
    """(module, depth, self µs, cumulative µs) of ``python -X importtime`` output."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3:
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((name.strip(), depth, int(parts[0]), int(parts[1])))
    return rows


# --- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="index only the first N articles over the two files")
    parser.add_argument("--queries", type=int, default=500, help="measured queries (default 500)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up queries before timing (default 20)")
    parser.add_argument("--cold-runs", type=int, default=15, help="cold-start processes per system (default 15)")
    parser.add_argument("--cold-query", default="وزير الخارجية", help="the query of the cold-start runs")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the query sample (default 2024)")
    parser.add_argument("--profile-articles", type=int, default=3000)
    parser.add_argument("--profile-queries", type=int, default=200)
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile section")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to search index (default: its own, one per core)")
    parser.add_argument(
        "--no-variants", action="store_true",
        help="skip the extra project builds (--jobs 1; without the duplicate store)",
    )
    parser.add_argument("--out", type=Path, help="write speed.json and the query files here")
    parser.add_argument("--work", type=Path, help="build the indexes here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes after the run")
    parser.add_argument(
        "--wait-quiet", type=float, default=0, metavar="SECONDS",
        help="first wait up to SECONDS for other processes to leave the CPU idle (shared machines)",
    )
    args = parser.parse_args()
    if args.queries < 10:
        parser.error("--queries must be at least 10")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill too
    if args.wait_quiet:
        wait_for_quiet(args.wait_quiet)
    started = time.perf_counter()
    work = args.work or Path(tempfile.mkdtemp(prefix="searcher-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = measure(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results["script_seconds"] = time.perf_counter() - started
    results["other_load"] = [{"command": c, "wall_s": w, "others_cores": o} for c, w, o in OTHER_LOAD]
    print(report(results))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "speed.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        log(f"raw figures in {args.out / 'speed.json'}")
    log(f"done in {results['script_seconds'] / 60:.1f} min")


def wait_for_quiet(max_wait: float, window: float = 30.0) -> None:
    """Wait until the rest of the machine has used under BUSY_WARNING cores for ``window`` seconds."""
    deadline = time.monotonic() + max_wait
    log(f"waiting up to {max_wait:.0f} s for a quiet machine …")
    while True:
        before = _machine_busy_s()
        time.sleep(window)
        after = _machine_busy_s()
        if before is None or after is None:
            return
        others = (after - before) / window
        if others < BUSY_WARNING:
            log(f"quiet ({others:.2f} cores busy over {window:.0f} s); starting")
            return
        if time.monotonic() >= deadline:
            log(f"still busy ({others:.2f} cores); starting anyway")
            return


def environment() -> dict:
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    mem = _proc_kb("/proc/meminfo", "MemTotal:")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "mem_total_gb": round(mem / 1024 / 1024, 1) if mem else None,
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "whoosh3": version("whoosh3"),
        "searcher-arabic": version("searcher-arabic"),
        "sqlite": sqlite3.sqlite_version,
        "git_head": git("rev-parse", "--short", "HEAD"),
        "searcher_uncommitted_changes": bool(git("status", "--porcelain", "--", "searcher")),
    }


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def measure(args, work: Path) -> dict:
    search = search_command()
    res: dict = {"environment": environment(), "limit": args.limit}
    log(f"work folder {work}; preparing the corpus")
    corpus = prepare_corpus(work, args.limit, args.profile_articles)
    res["corpus"] = {
        "files": [str(f) for f in corpus.files],
        "articles": corpus.articles,
        "records": corpus.records,
        "text_mb": corpus.text_bytes / 1e6,
    }
    log(f"{corpus.articles:,} articles, {corpus.text_bytes / 1e6:.1f} MB of UTF-8 title+body; drawing queries")
    queries, warmup = draw_queries(corpus, args.queries, args.warmup, args.seed)
    qfile, wfile = work / "queries.json", work / "warmup.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    wfile.write_text(json.dumps(warmup, ensure_ascii=False), encoding="utf-8")
    topics = {}
    for system in SYSTEMS:
        topics[system] = work / f"topics-{system}.tsv"
        lines = "".join(f"{q['qid']}\t{query_text(system, q)}\n" for q in queries)
        topics[system].write_text(lines, encoding="utf-8")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        shutil.copy(topics["project"], args.out / "topics.tsv")
    res["queries"] = {
        "n": len(queries),
        "kinds": {k: sum(q["kind"] == k for q in queries) for k in ("1w", "2w", "3w", "phrase")},
        "seed": args.seed,
        "sample": [query_text("project", q) for q in queries[:8]],
    }

    paths = {"project": work / "project-index", "whoosh": work / "whoosh-index", "fts5": work / "fts5.db"}
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    index_cmds = {
        "project": [*search, "--index-dir", paths["project"], "index", "-q", *jobs, *corpus.files],
        "whoosh": worker("whoosh-index", paths["whoosh"], *corpus.files),
        "fts5": worker("fts5-index", paths["fts5"], *corpus.files),
    }

    # Indexing, one engine at a time, each in a fresh process.
    res["index"] = {}
    for system in SYSTEMS:
        log(f"indexing with {LABELS[system]}: {' '.join(map(str, index_cmds[system][-3:]))} …")
        run = run_measured(index_cmds[system], ok=(0, 1))
        res["index"][system] = index_figures(run, corpus, dir_size(paths[system]))
        log(f"  {run.wall_s:.1f} s, {corpus.articles / run.wall_s:.0f} articles/s, peak {run.maxrss_mb:.0f} MB")
        if system == "project":
            res["index"][system].update(folder_parts(paths[system]))
            # Incremental: the same command again over the unchanged corpus.
            log("re-running search index over the unchanged corpus …")
            again = run_measured(index_cmds["project"], ok=(0, 1))
            res["incremental"] = {
                "wall_s": again.wall_s,
                "cpu_s": again.cpu_s,
                "peak_rss_mb": max(again.maxrss_mb, again.tree_pss_mb or 0),
                "fraction": again.wall_s / run.wall_s,
                "size_bytes_after": dir_size(paths["project"]),
            }
            log(f"  {again.wall_s:.1f} s ({100 * again.wall_s / run.wall_s:.1f}% of the full build)")
    res["documents"] = count_documents(search, paths)
    if not args.no_variants:
        res["index_variants"] = index_variants(search, corpus, work)

    # Per-query latency in one process, one open index.
    res["latency"] = {}
    for system in SYSTEMS:
        res["latency"][system] = {}
        for snippets in (False, True):
            mode = "snippets" if snippets else "plain"
            log(f"latency: {LABELS[system]}, {mode}, {len(queries)} queries …")
            out = work / f"latency-{system}-{mode}.json"
            run_measured(worker("latency", system, paths[system], qfile, wfile, int(snippets)), stdout_path=out, sample=False)
            data = json.loads(out.read_text(encoding="utf-8"))
            figures = percentiles(data["ms"])
            figures["with_hits"] = sum(1 for h in data["hits"] if h)
            figures["mean_hits"] = statistics.fmean(data["hits"])
            figures["ms"] = data["ms"]
            res["latency"][system][mode] = figures
            log(f"  p50 {figures['p50']:.2f} ms, p95 {figures['p95']:.2f} ms, {figures['with_hits']} with hits")

    # Batch: one process runs every query and prints JSON lines.
    res["batch"] = {}
    for system in SYSTEMS:
        res["batch"][system] = {}
        for snippets in (False, True):
            mode = "snippets" if snippets else "plain"
            if system == "project":
                cmd = [*search, "--index-dir", paths[system], "query", "--topics", topics[system], "--format", "jsonl"]
                cmd += [] if snippets else ["--no-snippets"]
            else:
                cmd = worker("batch", system, paths[system], topics[system], int(snippets))
            log(f"batch: {LABELS[system]}, {mode} …")
            run = run_measured(cmd, ok=(0, 1), sample=False)
            res["batch"][system][mode] = {"wall_s": run.wall_s, "ms_per_query": 1000 * run.wall_s / len(queries)}

    # Cold start: fresh processes, round-robin over the systems.
    res["cold"] = cold_start(search, paths, args)
    if not args.no_profile:
        res["profile"] = profiles(corpus, paths, qfile, args, work)
    return res


def count_documents(search, paths) -> dict:
    counts = {}
    out = subprocess.run([*search, "--index-dir", str(paths["project"]), "stats", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    counts["project"] = json.loads(out)["articles"]
    code = "from whoosh import index; ix = index.open_dir(%r); print(ix.doc_count())" % str(paths["whoosh"])
    counts["whoosh"] = int(subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout)
    with sqlite3.connect(paths["fts5"]) as con:
        counts["fts5"] = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    return counts


def cold_start(search, paths, args) -> dict:
    text = args.cold_query
    cmds = {
        "project": [*search, "--index-dir", paths["project"], "query", text, "--format", "jsonl"],
        "whoosh": worker("cold", "whoosh", paths["whoosh"], text, 1),
        "fts5": worker("cold", "fts5", paths["fts5"], text, 1),
        "python": [PYTHON, "-c", "pass"],
    }
    log(f"cold start: {args.cold_runs} runs each of {', '.join(cmds)} …")
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for round_ in range(args.cold_runs + 2):  # two warm-up rounds: page cache, .pyc files
        for name, cmd in cmds.items():
            run = run_measured(cmd, ok=(0, 1), sample=False)
            if round_ >= 2:
                times[name].append(run.wall_s)
    out: dict = {"query": text}
    for name, values in times.items():
        out[name] = {
            "median_s": statistics.median(values),
            "p90_s": statistics.quantiles(values, n=10, method="inclusive")[8],
            "min_s": min(values),
            "runs_s": values,
        }
    log("importtime of the search command (3 runs) …")
    samples: dict[str, list[int]] = {}
    depth_of: dict[str, int] = {}
    self_of: dict[str, list[int]] = {}
    totals = []
    for _ in range(3):
        run = run_measured([PYTHON, "-X", "importtime", *cmds["project"]], ok=(0, 1), sample=False)
        rows = parse_importtime(run.stderr)
        totals.append(sum(c for _, d, _, c in rows if d == 0))
        for name, depth, self_us, cum in rows:
            samples.setdefault(name, []).append(cum)
            self_of.setdefault(name, []).append(self_us)
            depth_of[name] = depth
    top = sorted(samples, key=lambda m: statistics.median(samples[m]), reverse=True)[:10]
    top_self = sorted(self_of, key=lambda m: statistics.median(self_of[m]), reverse=True)[:10]
    out["importtime"] = {
        "total_ms": statistics.median(totals) / 1000,
        "top_cumulative": [
            {"module": m, "depth": depth_of[m], "cumulative_ms": statistics.median(samples[m]) / 1000} for m in top
        ],
        "top_self": [{"module": m, "self_ms": statistics.median(self_of[m]) / 1000} for m in top_self],
        "whoosh_modules": sum(1 for m in samples if m.startswith("whoosh")),
        "modules": len(samples),
    }
    return out


def profiles(corpus: Corpus, paths, qfile, args, work) -> dict:
    log(f"profile: indexing {corpus.profile_articles} articles in-process …")
    index_text = subprocess.run(
        worker("profile-index", corpus.profile_file, work / "profile-index", 15), capture_output=True, text=True, check=True
    ).stdout
    log(f"profile: {args.profile_queries} queries with snippets …")
    query_text_ = subprocess.run(
        worker("profile-queries", paths["project"], qfile, args.profile_queries, 15), capture_output=True, text=True, check=True
    ).stdout
    return {"index": index_text, "queries": query_text_}


# --- the report ----------------------------------------------------------------------


def fmt(value, unit="") -> str:
    if value is None:
        return "–"
    if isinstance(value, int) and unit in ("", "n"):
        return f"{value:,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def ratio(a, b) -> str:
    if a is None or b is None or not b:
        return "–"
    r = a / b
    return f"{r:.2f}x" if r < 100 else f"{r:.0f}x"


def table_rows(res: dict) -> list[tuple[str, str, str, dict]]:
    """(section, metric, better, {system: value})."""
    ix, lat, batch, cold = res["index"], res["latency"], res["batch"], res["cold"]
    rows = []

    def add(section, metric, better, getter):
        values = {}
        for s in SYSTEMS:
            try:
                values[s] = getter(s)
            except (KeyError, TypeError):
                values[s] = None
        rows.append((section, metric, better, values))

    add("index", "documents in the index", "", lambda s: res["documents"][s])
    add("index", "articles/s", "higher", lambda s: ix[s]["articles_per_s"])
    add("index", "MB/s (UTF-8 title+body)", "higher", lambda s: ix[s]["mb_per_s"])
    add("index", "wall s", "lower", lambda s: ix[s]["wall_s"])
    add("index", "CPU s (incl. children)", "lower", lambda s: ix[s]["cpu_s"])
    add("index", "CPU/wall (cores busy)", "", lambda s: ix[s]["cpu_per_wall"])
    add("index", "peak RSS MB (largest process)", "lower", lambda s: ix[s]["peak_rss_mb"])
    add("index", "peak PSS MB (process tree, sampled)", "lower", lambda s: ix[s]["tree_pss_mb"])
    add("index", "other processes' CPU meanwhile (cores)", "n/a", lambda s: ix[s]["others_cores"])
    add("index", "index size MB", "lower", lambda s: ix[s]["size_mb"])
    add("index", "index size / UTF-8 text", "lower", lambda s: ix[s]["size_ratio"])
    add("index", "  search engine files MB", "lower", lambda s: ix[s]["engine_bytes"] / 1e6 if s == "project" else ix[s]["size_mb"])
    add("index", "  search engine files / UTF-8 text", "lower",
        lambda s: ix[s]["engine_bytes"] / res["corpus"]["text_mb"] / 1e6 if s == "project" else ix[s]["size_ratio"])
    add("index", "  other files MB (duplicate store ...)", "n/a", lambda s: ix[s]["other_bytes"] / 1e6 if s == "project" else None)
    variants = res.get("index_variants") or {}
    for name, label in (("one_job", "--jobs 1"), ("no_dupstore", "no duplicate store")):
        if name in variants:
            v = variants[name]
            add("index", f"articles/s ({label})", "higher", lambda s, v=v: v["articles_per_s"] if s == "project" else ix[s]["articles_per_s"])
            add("index", f"peak PSS MB ({label})", "lower", lambda s, v=v: v["tree_pss_mb"] if s == "project" else ix[s]["tree_pss_mb"])
    add("incremental", "re-run wall s (unchanged corpus)", "lower", lambda s: res["incremental"]["wall_s"] if s == "project" else None)
    add("incremental", "re-run / full build", "lower", lambda s: res["incremental"]["fraction"] if s == "project" else None)
    add("incremental", "re-run peak RSS MB", "lower", lambda s: res["incremental"]["peak_rss_mb"] if s == "project" else None)
    for mode, label in (("snippets", "with snippets"), ("plain", "no snippets")):
        for p in ("p50", "p95", "p99", "mean"):
            add("query (library)", f"top-10 {label} {p} ms", "lower", lambda s, m=mode, p=p: lat[s][m][p])
    add("query (library)", "queries with >=1 hit", "", lambda s: lat[s]["plain"]["with_hits"])
    add("query (library)", "mean hits per query (of 10)", "", lambda s: lat[s]["plain"]["mean_hits"])
    add("query (process)", "--topics jsonl, snippets: ms/query", "lower", lambda s: batch[s]["snippets"]["ms_per_query"])
    add("query (process)", "--topics jsonl, no snippets: ms/query", "lower", lambda s: batch[s]["plain"]["ms_per_query"])
    add("cold start", "fresh query process median s", "lower", lambda s: cold[s]["median_s"])
    add("cold start", "fresh query process p90 s", "lower", lambda s: cold[s]["p90_s"])
    return rows


def render_table(rows) -> str:
    header = ["section", "metric", "better", "project", "whoosh-stock", "fts5", "proj/whoosh", "proj/fts5"]
    lines = []
    for section, metric, better, v in rows:
        ratios = ["–", "–"] if better == "n/a" else [ratio(v["project"], v["whoosh"]), ratio(v["project"], v["fts5"])]
        lines.append([section, metric, "" if better == "n/a" else better, *map(fmt, v.values()), *ratios])
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    out = []

    def line(cells):
        return "| " + " | ".join(
            str(c).ljust(w) if i < 3 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ) + " |"

    out.append(line(header))
    out.append("|" + "|".join("-" * (w + 2) if i < 3 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
    out.extend(line(cells) for cells in lines)
    return "\n".join(out)


def targets(res: dict) -> list[tuple[str, str, bool]]:
    ix, lat = res["index"], res["latency"]
    p = ix["project"]
    peak = max(p["peak_rss_mb"], p["tree_pss_mb"] or 0)
    speedup = p["articles_per_s"] / ix["whoosh"]["articles_per_s"]
    snip, plain = lat["project"]["snippets"], lat["project"]["plain"]
    cold = res["cold"]["project"]["median_s"]
    engine_ratio = p.get("engine_bytes", p["size_bytes"]) / 1e6 / res["corpus"]["text_mb"]
    t = TARGETS
    return [
        (f"indexing >= {t['index_vs_whoosh']}x stock Whoosh", f"{speedup:.2f}x", speedup >= t["index_vs_whoosh"]),
        (f"indexing >= {t['index_rate']:.0f} articles/s", f"{p['articles_per_s']:.0f}/s", p["articles_per_s"] >= t["index_rate"]),
        (f"peak memory <= {t['peak_rss_mb']:.0f} MB (full build)", f"{peak:.0f} MB", peak <= t["peak_rss_mb"]),
        (
            f"peak memory <= {t['peak_rss_mb']:.0f} MB (re-run over the built index)",
            f"{res['incremental']['peak_rss_mb']:.0f} MB",
            res["incremental"]["peak_rss_mb"] <= t["peak_rss_mb"],
        ),
        (f"snippets p50 <= {t['snippets_p50_ms']:g} ms", f"{snip['p50']:.2f} ms", snip["p50"] <= t["snippets_p50_ms"]),
        (f"snippets p95 <= {t['snippets_p95_ms']:g} ms", f"{snip['p95']:.2f} ms", snip["p95"] <= t["snippets_p95_ms"]),
        (f"no snippets p50 <= {t['plain_p50_ms']:g} ms", f"{plain['p50']:.2f} ms", plain["p50"] <= t["plain_p50_ms"]),
        (f"cold start median <= {t['cold_median_s']:.2f} s", f"{cold:.3f} s", cold <= t["cold_median_s"]),
        (f"index size <= {t['size_ratio']}x UTF-8 text", f"{p['size_ratio']:.2f}x", p["size_ratio"] <= t["size_ratio"]),
        (
            f"index size <= {t['size_ratio']}x UTF-8 text, search engine files only",
            f"{engine_ratio:.2f}x",
            engine_ratio <= t["size_ratio"],
        ),
        (
            f"incremental re-run <= {100 * t['incremental_fraction']:.0f}% of full build",
            f"{100 * res['incremental']['fraction']:.1f}%",
            res["incremental"]["fraction"] <= t["incremental_fraction"],
        ),
    ]


def report(res: dict) -> str:
    env, corpus = res["environment"], res["corpus"]
    out = ["# searcher speed", ""]
    out.append(
        f"machine: {env['nproc']} cores ({env['cpu']}), {env['mem_total_gb']} GB; {env['platform']}; "
        f"Python {env['python']}; whoosh3 {env['whoosh3']}; SQLite {env['sqlite']}; "
        f"searcher {env['searcher-arabic']} at {env['git_head']}"
        + (" (searcher/ has uncommitted changes)" if env["searcher_uncommitted_changes"] else "")
    )
    out.append(
        f"corpus: {corpus['articles']:,} articles ({corpus['records']:,} records), "
        f"{corpus['text_mb']:.1f} MB UTF-8 title+body; files: {', '.join(Path(f).name for f in corpus['files'])}"
    )
    q = res["queries"]
    out.append(
        f"queries: {q['n']} (seed {q['seed']}; {', '.join(f'{v} {k}' for k, v in q['kinds'].items())}), "
        f"top 10, all words must match; e.g. {' | '.join(q['sample'][:4])}"
    )
    out += ["", render_table(table_rows(res)), ""]
    cold = res["cold"]
    out.append(
        f"cold-start query: {cold['query']}; interpreter floor (python -c pass): median "
        f"{cold['python']['median_s']:.3f} s; min project {cold['project']['min_s']:.3f} s"
    )
    imp = cold["importtime"]
    out += ["", f"## python -X importtime of `search query … --format jsonl` (median of 3; all imports {imp['total_ms']:.0f} ms, "
            f"{imp['modules']} modules, {imp['whoosh_modules']} of them whoosh)", ""]
    out.append(f"{'cumulative ms':>13}  module")
    for row in imp["top_cumulative"]:
        out.append(f"{row['cumulative_ms']:>13.1f}  {'  ' * row['depth']}{row['module']}")
    out.append("")
    out.append(f"{'self ms':>13}  module (top 10 by own time)")
    for row in imp["top_self"]:
        out.append(f"{row['self_ms']:>13.1f}  {row['module']}")
    out += ["", "## targets", ""]
    for name, value, met in targets(res):
        out.append(f"{'met   ' if met else 'MISSED'}  {name}: {value}")
    if "profile" in res:
        out += ["", "## profiles (cProfile)", "", res["profile"]["index"].rstrip(), "", res["profile"]["queries"].rstrip()]
    load = res.get("other_load") or []
    if load:
        # /proc/stat counts in 10 ms ticks: only runs of a few seconds give a meaningful load.
        long_runs = [e for e in load if e["wall_s"] >= MIN_LOAD_WALL_S]
        busy = [e for e in long_runs if e["others_cores"] > BUSY_WARNING]
        weighted = sum(e["others_cores"] * e["wall_s"] for e in load) / sum(e["wall_s"] for e in load)
        line = f"other processes' CPU during measured runs: {weighted:.2f} cores on average (time-weighted)"
        if long_runs:
            worst = max(long_runs, key=lambda e: e["others_cores"])
            line += f", at most {worst['others_cores']:.2f} in a run of {MIN_LOAD_WALL_S:g} s or more ({worst['command']})"
        out += ["", line]
        if busy:
            out.append(f"WARNING: {len(busy)} of {len(long_runs)} runs of {MIN_LOAD_WALL_S:g} s or more shared the "
                       f"machine with over {BUSY_WARNING} cores of other work: figures may be slow; "
                       "re-run on a quiet machine (--wait-quiet)")
    out += ["", f"script run time: {res['script_seconds'] / 60:.1f} min"]
    return "\n".join(out)


if __name__ == "__main__":
    main()
