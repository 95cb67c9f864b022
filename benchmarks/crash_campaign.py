"""A crash campaign: `search index` killed (SIGKILL) at random moments, the index checked after each kill.

Each round copies a prepared index, starts a real ``search index`` process on
it (adding half of the corpus to the other half, updating a changed copy of
every article, or rebuilding with ``--rebuild``; ``--jobs 1`` or ``--jobs 2``),
kills the process and its workers with SIGKILL after a random part of the
time an uninterrupted run of the same kind takes, then checks:

* the index opens (the library, ``search check``);
* no committed article is lost: every article the index held before the run,
  and every one a reader saw right before the kill, is still there (after a
  killed rebuild: the archive as it was before, whole);
* no article is there twice;
* after the next, uninterrupted run of the same command: it completed with
  every article and the same duplicate groups as a clean build, ``search
  check`` finds nothing wrong, and no file is left over from the killed run.

Usage (from the repository root; needs ../shared/corpora):

    python benchmarks/crash_campaign.py --kills 50
    python benchmarks/crash_campaign.py --kills 6 --articles 600 --batch-size 100

Prints a table of counts per kind of run (stdout) and exits 1 when any
invariant was broken. ``run_campaign`` is what tests/test_crash_campaign.py runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "saudinewsnet" / "articles.jsonl.gz"
#: The kinds of run killed, in turn.
SCENARIOS = (("add", 1), ("add", 2), ("update", 1), ("update", 2), ("rebuild", 1), ("rebuild", 2))
#: `search check` findings a kill may leave until the next run repairs them.
AFTER_KILL_ALLOWED = {"orphan", "store-ahead", "store-missing", "store-stale"}
#: Kills fall in this part of a clean build's time (an add or update run is shorter).
KILL_WITHIN = 0.8
COUNTS = ("kills", "finished first", "unopenable", "lost", "doubled", "inconsistent", "leftovers", "incomplete", "wrong groups")


@dataclass
class Round:
    """One killed run and what was found after it."""

    phase: str
    jobs: int
    delay: float
    killed: bool = True
    problems: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


@dataclass
class Campaign:
    rounds: list[Round] = field(default_factory=list)
    seconds: float = 0.0

    def table(self) -> dict[str, Counter]:
        rows: dict[str, Counter] = {}
        for r in self.rounds:
            key = f"{r.phase} --jobs {r.jobs}"
            row = rows.setdefault(key, Counter())
            row["kills" if r.killed else "finished first"] += 1
            row.update(r.counts)
        return rows

    def broken(self, phases=None) -> list[str]:
        """Every broken invariant, one line each (phases: only those kinds of run)."""
        return [
            f"{r.phase} --jobs {r.jobs} (kill after {r.delay:.2f} s): {p}"
            for r in self.rounds
            if phases is None or r.phase in phases
            for p in r.problems
        ]

    def render(self) -> str:
        from tabulate import tabulate

        rows = self.table()
        total = Counter()
        for row in rows.values():
            total.update(row)
        body = [[name, *(row.get(c, 0) for c in COUNTS)] for name, row in sorted(rows.items())]
        body.append(["all", *(total.get(c, 0) for c in COUNTS)])
        return tabulate(body, headers=["run", *COUNTS], tablefmt="simple")


# The corpus


def read_corpus(path: Path, count: int) -> list[dict]:
    """The first ``count`` records of a JSON Lines news corpus (gzipped or not) with a body."""
    opener = gzip.open if path.suffix == ".gz" else open
    records = []
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if (record.get("body") or "").strip():
                records.append(record)
                if len(records) == count:
                    break
    return records


def changed_copy(records: list[dict]) -> list[dict]:
    """The corpus with articles edited: a sentence added to every 7th, every 50th a copy of the one before."""
    changed = []
    for number, record in enumerate(records):
        record = dict(record)
        if number % 50 == 1:
            record["body"] = records[number - 1]["body"]
        elif number % 7 == 0:
            record["body"] = record["body"] + f"\n\nتحديث: أضيفت هذه الفقرة إلى الخبر رقم {number} بعد نشره."
        changed.append(record)
    return changed


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


# Looking at an index


def live_ids(index_dir: Path) -> list[str]:
    """The id of every live article (repeated if an article is there twice), via the library."""
    from searcher.storage import open_index

    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        return [fields["id"] for _, fields in searcher.reader().iter_docs()]


def library_opens(index_dir: Path) -> str | None:
    """None when the archive opens and answers; else why not."""
    from searcher.query import Archive

    try:
        with Archive(index_dir) as archive:
            archive.stats()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        return f"{type(exc).__name__}: {exc}"


def store_groups(index_dir: Path) -> set[frozenset[str]]:
    """The duplicate store's groups, as sets of ids."""
    path = index_dir / "duplicates.sqlite"
    if not path.exists():
        return set()
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found: dict[int, set[str]] = {}
        for group, article_id in db.execute("SELECT grp, id FROM docs WHERE grp IS NOT NULL"):
            found.setdefault(group, set()).add(article_id)
    finally:
        db.close()
    return {frozenset(members) for members in found.values()}


def search(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "searcher", *args], capture_output=True, text=True, timeout=timeout, cwd=REPO
    )


def run_check(index_dir: Path, quick: bool = False) -> tuple[int, list[dict]]:
    """``search check``'s exit code and findings."""
    done = search("--index-dir", str(index_dir), "check", "--format", "json", *(["--quick"] if quick else []))
    try:
        findings = json.loads(done.stdout)["findings"] if done.stdout.strip() else []
    except (ValueError, KeyError):
        findings = [{"kind": "output", "file": "", "message": done.stdout[:200]}]
    if done.returncode == 2:
        findings.append({"kind": "error", "file": "", "message": done.stderr.strip()[:300]})
    return done.returncode, findings


def index_command(index_dir: Path, phase: str, jobs: int, batch_size: int, inputs: dict[str, Path]) -> list[str]:
    source = inputs["changed"] if phase == "update" else inputs["full"]
    command = [sys.executable, "-m", "searcher", "--index-dir", str(index_dir), "index", "-q"]
    command += ["--batch-size", str(batch_size), "--jobs", str(jobs), "--lock-timeout", "30"]
    if phase == "rebuild":
        command.append("--rebuild")
    return [*command, str(source)]


def timed_run(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=900)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return time.perf_counter() - started


# The campaign


@dataclass
class Setup:
    work: Path
    inputs: dict[str, Path]
    baselines: dict[str, Path]  # phase -> index to start from
    expected: dict[str, tuple[set[str], set[frozenset[str]]]]  # phase -> (ids, groups) of a clean build
    durations: dict[str, float]
    batch_size: int


def prepare(work: Path, records: list[dict], batch_size: int, log) -> Setup:
    """Inputs, the indexes each kind of run starts from, clean builds to compare with, and run times."""
    inputs = {
        "full": write_jsonl(work / "full.jsonl", records),
        "half": write_jsonl(work / "half.jsonl", records[: len(records) // 2]),
        "changed": write_jsonl(work / "changed.jsonl", changed_copy(records)),
    }
    clean = {}
    durations = {}
    for name in ("half", "full", "changed"):
        folder = work / f"clean-{name}"
        durations[name] = timed_run(
            [sys.executable, "-m", "searcher", "--index-dir", str(folder), "index", "-q",
             "--batch-size", str(batch_size), "--jobs", "1", str(inputs[name])]
        )
        clean[name] = (set(live_ids(folder)), store_groups(folder))
        log(f"clean build of {name}: {len(clean[name][0]):,} articles, {len(clean[name][1]):,} groups, {durations[name]:.1f} s")
    baselines = {"add": work / "clean-half", "update": work / "clean-full", "rebuild": work / "clean-full"}
    expected = {"add": clean["full"], "update": clean["changed"], "rebuild": clean["full"]}
    # Kills fall anywhere in the time a whole build takes (an add or update run takes
    # about as long: most of a short run is starting up); later kills find the run done.
    for phase in ("add", "update", "rebuild"):
        durations[phase] = durations["full"]
    return Setup(work, inputs, baselines, expected, durations, batch_size)


def kill_round(setup: Setup, phase: str, jobs: int, rng: random.Random) -> Round:
    index_dir = setup.work / "ix"
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.copytree(setup.baselines[phase], index_dir)
    before = set(live_ids(index_dir))
    command = index_command(index_dir, phase, jobs, setup.batch_size, setup.inputs)
    delay = rng.uniform(0.0, KILL_WITHIN) * setup.durations[phase]
    result = Round(phase, jobs, delay)
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, start_new_session=True
    )
    started = time.monotonic()
    deadline = started + delay
    seen: set[str] = set()
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
    if process.poll() is None:
        # What a reader sees right before the kill has been committed: it must survive.
        for _ in range(3):
            try:
                seen = set(live_ids(index_dir))
                break
            except Exception:  # noqa: BLE001 - a reader during a commit: try again
                time.sleep(0.01)
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the process and its workers, as a power cut would
        except ProcessLookupError:
            pass
        process.wait()
        result.killed = process.returncode == -signal.SIGKILL
    else:
        result.killed = False
        # Runs of this kind take no longer than this one did: later kills fall within that.
        setup.durations[phase] = min(setup.durations[phase], (time.monotonic() - started) / KILL_WITHIN)
    process.wait()

    def broken(count: str, message: str) -> None:
        result.counts[count] += 1
        result.problems.append(f"{count}: {message}")

    # Right after the kill.
    why = library_opens(index_dir)
    if why is not None:
        broken("unopenable", f"the library cannot open the index ({why})")
        after: list[str] = []
    else:
        after = live_ids(index_dir)
    code, findings = run_check(index_dir, quick=True)
    if code == 2:
        broken("unopenable", f"search check: {findings[-1]['message']}")
    if why is None:
        kept = set(after)
        committed = before if phase == "rebuild" else before | seen
        lost = committed - kept
        if lost:
            broken("lost", f"{len(lost):,} committed articles gone, e.g. {sorted(lost)[:3]}")
        if phase == "rebuild" and kept != before:
            if not lost:
                broken("lost", f"the archive changed under a killed rebuild ({len(kept):,} articles, {len(before):,} before)")
        doubled = [i for i, n in Counter(after).items() if n > 1]
        if doubled:
            broken("doubled", f"{len(doubled):,} articles twice, e.g. {doubled[:3]}")
    wrong = [f for f in findings if f["kind"] not in AFTER_KILL_ALLOWED | {"doubled", "error"}]
    if wrong:
        broken("inconsistent", f"after the kill: {wrong[0]['kind']}: {wrong[0]['message']}")

    # The next run, uninterrupted.
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=900)
    if done.returncode not in (0, 1):
        broken("incomplete", f"the next run failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        return result
    ids = live_ids(index_dir)
    want_ids, want_groups = setup.expected[phase]
    if set(ids) != want_ids or len(ids) != len(want_ids):
        broken("incomplete", f"the next run left {len(ids):,} articles ({len(set(ids)):,} distinct), {len(want_ids):,} expected")
    if store_groups(index_dir) != want_groups:
        broken("wrong groups", "duplicate groups differ from a clean build's")
    code, findings = run_check(index_dir)
    leftovers = [f for f in findings if f["kind"] == "orphan"]
    others = [f for f in findings if f["kind"] != "orphan"]
    if leftovers:
        broken("leftovers", f"{len(leftovers)} files left over, e.g. {leftovers[0]['file']}")
    if others:
        broken("inconsistent", f"after the next run: {others[0]['kind']}: {others[0]['message']}")
    return result


def run_campaign(
    kills: int,
    articles: int = 3000,
    batch_size: int = 500,
    corpus: Path = DEFAULT_CORPUS,
    seed: int = 1,
    scenarios=SCENARIOS,
    work: Path | None = None,
    log=lambda message: print(message, file=sys.stderr, flush=True),
) -> Campaign:
    """Kill ``kills`` runs, taking the kinds of ``scenarios`` in turn; returns what was found."""
    started = time.perf_counter()
    owned = work is None
    work = Path(tempfile.mkdtemp(prefix="crash-campaign-")) if owned else work
    try:
        setup = prepare(work, read_corpus(corpus, articles), batch_size, log)
        rng = random.Random(seed)
        campaign = Campaign()
        number = 0
        attempts = 0
        while number < kills and attempts < kills * 3:
            phase, jobs = scenarios[number % len(scenarios)]
            attempts += 1
            result = kill_round(setup, phase, jobs, rng)
            campaign.rounds.append(result)
            if result.killed:
                number += 1
            state = "; ".join(result.problems) or "all invariants hold"
            log(f"{phase} --jobs {jobs}, {'killed' if result.killed else 'finished'} after {result.delay:.2f} s: {state}")
        campaign.seconds = time.perf_counter() - started
        return campaign
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--articles", type=int, default=3000, help="articles of the corpus to use (default 3000)")
    parser.add_argument("--batch-size", type=int, default=500, help="articles per commit (default 500)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["add", "update", "rebuild"], action="append", help="only these kinds of run")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"Error: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    scenarios = tuple(s for s in SCENARIOS if not args.only or s[0] in args.only)
    campaign = run_campaign(args.kills, args.articles, args.batch_size, args.corpus, args.seed, scenarios)
    print(campaign.render())
    print(f"{len(campaign.rounds)} runs in {campaign.seconds:.0f} s", file=sys.stderr)
    for line in campaign.broken():
        print(line, file=sys.stderr)
    return 1 if campaign.broken() else 0


if __name__ == "__main__":
    sys.exit(main())
