"""What does folding ؤ and ئ to ء merge in real news text, and what does it cost?

normalise() folds the hamza seats ؤ and ئ to bare ء on top of its other rules,
so that مسؤول/مسئول and شؤون/شئون meet. No Arabic library does this, so this
script measures it on ant-news and saudinewsnet:

* how many word types hold ؤ or ئ, and how many gain a merge partner;
* the most frequent merged groups;
* merges that may join different words, for a human to judge: groups where a
  teh-marbuta word meets a word ending in the pronoun ه (مائة "hundred" vs
  ماؤه "its water"), then the groups whose other spellings keep company least
  like the main spelling (their neighbouring words). Groups that differ only
  in the case ending before a pronoun suffix (أبناؤهم/أبنائهم/أبناءهم, one word
  in three grammatical cases) are counted, not listed;
* normalise() speed in tokens/s, with and without the fold (same code, the
  translate table swapped), which should not differ.

"Base form" below means normalise() without the seat fold. Run:

    .venv/bin/python benchmarks/hamza_folding.py [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = {
    "ant-news": SHARED / "corpora" / "ant-news" / "articles.jsonl.gz",
    "saudinewsnet": SHARED / "corpora" / "saudinewsnet" / "articles.jsonl.gz",
}
sys.path.insert(0, str(REPO))

import searcher.normalise as normalise_module  # noqa: E402
from searcher.normalise import normalise  # noqa: E402
from searcher.tokenize import iter_words  # noqa: E402

HAMZA = "\u0621"
SEATS = ("\u0624", "\u0626", "\u06d3")  # ؤ ئ ۓ: the letters the fold turns into ء
FOLD_SEATS = dict.fromkeys(map(ord, SEATS), HAMZA)
TEH_MARBUTA, HEH = "\u0629", "\u0647"
# Pronoun suffixes after which the hamza seat spells the case: ؤ nominative,
# ئ genitive, ء accusative (base forms: ة is already ه).
PRONOUN_SUFFIXES = {"\u0647", "\u0647\u0627", "\u0647\u0645", "\u0647\u0645\u0627", "\u0647\u0646",
                    "\u0643", "\u0643\u0645", "\u0643\u0645\u0627", "\u0643\u0646", "\u0646\u0627", "\u064a"}
TABLE_WITH_FOLD = normalise_module._build_table(fold_hamza_seats=True)
TABLE_WITHOUT_FOLD = normalise_module._build_table(fold_hamza_seats=False)

CONTEXT_WINDOW = 2  # words either side
CONTEXT_STOPWORDS = 100  # most frequent forms, left out of contexts
SMOOTHING = 100  # Dirichlet prior weight of the background distribution
STORED_OCCURRENCES = 2000  # per spelling, reservoir-sampled
NULL_DRAWS = 30


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="articles read from each corpus (default: all)")
    parser.add_argument("--top", type=int, default=20, help="merged groups to list (default: 20)")
    parser.add_argument(
        "--min-count",
        type=int,
        default=5,
        help="occurrences a spelling needs before its contexts are compared (default: 5)",
    )
    parser.add_argument("--suspicious", type=int, default=25, help="low-affinity groups to list (default: 25)")
    return parser.parse_args()


def read_texts(limit: int | None) -> Iterator[tuple[str, str]]:
    """Yield (corpus name, title + body) for each article."""
    for name, path in CORPORA.items():
        if not path.exists():
            sys.exit(f"corpus not found: {path} (shared/ must sit beside the repository)")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if limit is not None and number >= limit:
                    break
                article = json.loads(line)
                yield name, f"{article['title'] or ''}\n{article['body'] or ''}"


@contextmanager
def normalise_table(table: dict[int, str]) -> Iterator[None]:
    """Make normalise() use another translate table: same code, other rules."""
    saved = normalise_module._NORMALISE_TABLE
    normalise_module._NORMALISE_TABLE = table
    try:
        yield
    finally:
        normalise_module._NORMALISE_TABLE = saved


def time_normalise(words: list[str], table: dict[int, str]) -> float:
    with normalise_table(table):
        start = time.perf_counter()
        for word in words:
            normalise(word)
        return time.perf_counter() - start


class Background:
    """Word frequencies of the whole corpus, the yardstick for contexts."""

    def __init__(self, counts: Counter, total: int):
        self.counts, self.total = counts, total

    def bits(self, sample: list[str], reference: Counter, reference_total: int, held_out: Counter) -> float:
        """Mean log2 of how much likelier the sample's words are next to the
        reference word than anywhere (``held_out`` is subtracted from it)."""
        total = 0.0
        denominator = reference_total - sum(held_out.values()) + SMOOTHING
        for word in sample:
            p_background = self.counts[word] / self.total
            p_reference = (reference[word] - held_out[word] + SMOOTHING * p_background) / denominator
            total += math.log2(p_reference / p_background)
        return total / len(sample)


def affinity_z(
    other: list[list[str]], main: list[list[str]], background: Background, rng: random.Random
) -> tuple[float, float]:
    """How like the main spelling's contexts the other spelling's are.

    Returns (bits, z). Bits: mean log-likelihood ratio of the other spelling's
    neighbours under the main spelling's contexts vs the whole corpus. Sparse
    contexts push bits down for any small sample, so the same score is taken of
    random samples of the main spelling's own occurrences, of the same size,
    against the rest of them; z says how far below those the other spelling is.
    """
    main_words = Counter(word for context in main for word in context)
    main_total = sum(main_words.values())
    other_words = [word for context in other for word in context]
    if not other_words:
        return math.nan, math.nan
    observed = background.bits(other_words, main_words, main_total, Counter())
    size = min(len(other), len(main) // 2)
    null = []
    for _ in range(NULL_DRAWS):
        sample = [word for context in rng.sample(main, size) for word in context]
        if sample:
            null.append(background.bits(sample, main_words, main_total, Counter(sample)))
    if len(null) < 2:
        return observed, math.nan
    spread = statistics.stdev(null) or 1e-9
    return observed, (observed - statistics.mean(null)) / spread


def has_seat(word: str) -> bool:
    return any(seat in word for seat in SEATS)


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    rng = random.Random(0)  # reproducible reports

    # Pass 1: surface counts per corpus, and normalise() timed on every token,
    # alternating which table goes first so that neither gets a warmer cache.
    surface_counts: dict[str, Counter] = {name: Counter() for name in CORPORA}
    articles = Counter()
    seconds = {"with": 0.0, "without": 0.0}
    tokens = 0
    for number, (corpus, text) in enumerate(read_texts(args.limit)):
        words = [surface for _, _, surface in iter_words(text)]
        surface_counts[corpus].update(words)
        articles[corpus] += 1
        tokens += len(words)
        for variant in ("with", "without") if number % 2 else ("without", "with"):
            table = TABLE_WITH_FOLD if variant == "with" else TABLE_WITHOUT_FOLD
            seconds[variant] += time_normalise(words, table)
    pass1_seconds = time.perf_counter() - started

    surfaces = set().union(*surface_counts.values())
    full_of = {surface: normalise(surface) for surface in surfaces}
    with normalise_table(TABLE_WITHOUT_FOLD):
        base_of = {surface: normalise(surface) for surface in surfaces}

    base_counts: Counter = Counter()
    base_counts_by_corpus: dict[str, Counter] = {name: Counter() for name in CORPORA}
    spellings: dict[str, Counter] = defaultdict(Counter)  # base form -> its surfaces
    full_counts: Counter = Counter()
    for corpus, counts in surface_counts.items():
        for surface, count in counts.items():
            base = base_of[surface]
            base_counts[base] += count
            base_counts_by_corpus[corpus][base] += count
            spellings[base][surface] += count
            full_counts[full_of[surface]] += count

    members_of: dict[str, list[str]] = defaultdict(list)  # full form -> base forms
    for base in base_counts:
        members_of[base.translate(FOLD_SEATS)].append(base)
    groups = {
        full: sorted(members, key=lambda base: (-base_counts[base], base))
        for full, members in members_of.items()
        if len(members) > 1
    }
    for full, members in groups.items():  # the seat fold is the only difference
        assert all(full_of[surface] == full for base in members for surface in spellings[base])

    def shown(base: str) -> str:
        return spellings[base].most_common(1)[0][0]

    def teh_marbuta_meets_pronoun(members: list[str]) -> bool:
        endings = {shown(base)[-1] for base in members}  # each spelling's usual ending
        return TEH_MARBUTA in endings and HEH in endings

    def case_variants(members: list[str]) -> bool:
        differing = {i for i in range(len(members[0])) if len({base[i] for base in members}) > 1}
        return (
            len(differing) == 1
            and members[0][max(differing) + 1 :] in PRONOUN_SUFFIXES
            and not any(shown(base).endswith(TEH_MARBUTA) for base in members)
        )

    seat_types = [base for base in base_counts if has_seat(base)]
    merged_seat_types = [base for members in groups.values() for base in members if has_seat(base)]
    seat_tokens = sum(base_counts[base] for base in seat_types)
    merged_seat_tokens = sum(base_counts[base] for base in merged_seat_types)
    minority_tokens = sum(base_counts[base] for members in groups.values() for base in members[1:])

    # Pass 2: the neighbours of every spelling in a group, a sample of contexts
    # per spelling (reservoir sampling, so both corpora are represented).
    watched = {base for members in groups.values() for base in members if base_counts[base] >= args.min_count}
    stopwords = {form for form, _ in full_counts.most_common(CONTEXT_STOPWORDS)}
    occurrences: dict[str, list[list[str]]] = defaultdict(list)
    seen = Counter()
    for _, text in read_texts(args.limit):
        words = [surface for _, _, surface in iter_words(text)]
        for position, surface in enumerate(words):
            base = base_of[surface]
            if base not in watched:
                continue
            seen[base] += 1
            slot = len(occurrences[base]) if seen[base] <= STORED_OCCURRENCES else rng.randrange(seen[base])
            if slot >= STORED_OCCURRENCES:
                continue
            before = words[max(0, position - CONTEXT_WINDOW) : position]
            window = before + words[position + 1 : position + 1 + CONTEXT_WINDOW]
            context = [form for form in map(full_of.__getitem__, window) if form not in stopwords]
            if slot == len(occurrences[base]):
                occurrences[base].append(context)
            else:
                occurrences[base][slot] = context

    background = Background(full_counts, tokens)
    compared = []  # (lowest z, its bits, full form)
    for full, members in groups.items():
        main_spelling, others = members[0], [base for base in members[1:] if base in watched]
        if main_spelling not in watched or not others:
            continue
        scores = [affinity_z(occurrences[o], occurrences[main_spelling], background, rng) for o in others]
        bits, z = min(scores, key=lambda score: score[1] if not math.isnan(score[1]) else math.inf)
        compared.append((z, bits, full))
    compared.sort(key=lambda item: item[0] if not math.isnan(item[0]) else math.inf)
    elapsed = time.perf_counter() - started

    def member_line(base: str) -> str:
        by_corpus = " ".join(f"{base_counts_by_corpus[name][base]}" for name in CORPORA)
        return f"{shown(base)} {base_counts[base]} ({by_corpus})"

    def group_line(members: list[str]) -> str:
        more = f"  (+{len(members) - 4} more)" if len(members) > 4 else ""
        return "  /  ".join(member_line(base) for base in members[:4]) + more

    def rate(variant: str) -> float:
        return tokens / seconds[variant] if seconds[variant] else math.nan

    print("Hamza-seat folding (ؤ ئ -> ء) on top of normalise()'s other rules")
    print("=" * 66)
    print(f"articles: {articles['ant-news']:,} ant-news + {articles['saudinewsnet']:,} saudinewsnet")
    print(f"tokens: {tokens:,}; surface types: {len(surfaces):,}")
    print(f"types without the seat fold: {len(base_counts):,}; with it: {len(full_counts):,}")
    print()
    print(f"types holding ؤ or ئ: {len(seat_types):,} ({seat_tokens:,} tokens)")
    print(
        f"  that gain a merge partner: {len(merged_seat_types):,} "
        f"({len(merged_seat_types) / max(1, len(seat_types)):.1%} of them; "
        f"{merged_seat_tokens:,} tokens = {merged_seat_tokens / max(1, seat_tokens):.1%})"
    )
    print(f"merged groups: {len(groups):,}; tokens in a group's less frequent spellings: {minority_tokens:,}")
    print("  (occurrences that a query in the group's main spelling could not reach without the fold)")
    print()
    print(f"Top {args.top} merged groups by frequency; each spelling: count (ant-news saudinewsnet)")
    ranked = sorted(groups.values(), key=lambda members: -sum(base_counts[b] for b in members))
    for rank, members in enumerate(ranked[: args.top], 1):
        total = sum(base_counts[base] for base in members)
        print(f"{rank:3}. {total:7,}  {group_line(members)}")
    print()
    print(f"Top {args.top // 2} by occurrences gained (the less frequent spellings' count)")
    by_gain = sorted(groups.values(), key=lambda members: -sum(base_counts[b] for b in members[1:]))
    for rank, members in enumerate(by_gain[: args.top // 2], 1):
        gained = sum(base_counts[base] for base in members[1:])
        print(f"{rank:3}. {gained:7,}  {group_line(members)}")
    print()
    print("For a human to judge")
    print("--------------------")
    collisions = [members for members in ranked if teh_marbuta_meets_pronoun(members)]
    print(f"a) teh-marbuta word meets a pronoun-ه word (ة and ه already fold together): {len(collisions)} groups")
    for members in collisions[: args.suspicious]:
        print(f"     {group_line(members)}")
    if len(collisions) > args.suspicious:
        print(f"     ... and {len(collisions) - args.suspicious} more")
    case_groups = [members for members in ranked if case_variants(members)]
    listed = [(z, bits, full) for z, bits, full in compared if not case_variants(groups[full])]
    print(
        f"b) other spellings whose neighbours are least like the main spelling's: lowest"
        f" {min(args.suspicious, len(listed))} of {len(listed)} groups with spellings seen >= {args.min_count} times"
    )
    print(
        f"   (z: vs same-size samples of the main spelling; bits: mean log-likelihood ratio vs the corpus;"
        f" {CONTEXT_WINDOW} words either side, top {CONTEXT_STOPWORDS} forms left out)"
    )
    for z, bits, full in listed[: args.suspicious]:
        members = groups[full]
        print(f"   z={z:6.1f} bits={bits:5.2f}  {group_line(members)}")
        for base in [m for m in members if m in watched][:3]:
            neighbours = Counter(word for context in occurrences[base] for word in context)
            print(f"          {shown(base)}: {' '.join(form for form, _ in neighbours.most_common(6))}")
    print(f"   not compared (other spellings under {args.min_count} occurrences): {len(groups) - len(compared):,} groups")
    example = f", e.g. {' / '.join(map(shown, case_groups[0]))}" if case_groups else ""
    print(f"   not listed: {len(case_groups):,} groups of one word in its grammatical cases{example}")
    print()
    print(f"normalise() speed over all {tokens:,} tokens (same code, table swapped):")
    print(f"  with the seat fold:    {rate('with') / 1e6:.2f} M tokens/s")
    print(f"  without the seat fold: {rate('without') / 1e6:.2f} M tokens/s")
    print(f"  ratio with/without:    {rate('with') / rate('without'):.3f}")
    print()
    print(f"time: {elapsed:.0f} s (pass 1, with the timing, {pass1_seconds:.0f} s)")


if __name__ == "__main__":
    main()
