"""Compare Arabic light stemmers for news search: ours, Lucene's Light10, Snowball.

Run from the repository root::

    .venv/bin/python benchmarks/stemmers.py [--top 30]

Scores, on the labelled words of ``stem_groups.py`` (the same data the tests
assert for ``searcher.stem``):

* groups conflated: groups whose words all get one stem (higher is better);
* held-out groups: the same on groups never used to tune ``searcher.stem``;
* wrong merges: keep-apart pairs that get one stem (lower is better), for the
  pairs written up front and for those found by reading ant-news (the latter are
  protected stems in ``searcher.stem``, so they only show what the table buys).

And, on the distinct words of ant-news (``shared/corpora/ant-news``), normalised
as the indexer does: words stemmed per second (cold: no cache), the fraction of
corpus tokens each stemmer changes, our 30 most frequent changes, and the most
frequent words on which ours and Light10 disagree, for a human to eyeball.

Snowball (``snowballstemmer`` or NLTK) is scored only if importable; neither is a
project dependency.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

try:
    from stem_groups import CONFLATION_GROUPS, HELD_OUT_GROUPS, KEEP_APART, KEEP_APART_FOUND_IN_CORPUS
except ImportError:  # run as a module: python -m benchmarks.stemmers
    from benchmarks.stem_groups import (
        CONFLATION_GROUPS,
        HELD_OUT_GROUPS,
        KEEP_APART,
        KEEP_APART_FOUND_IN_CORPUS,
    )

from searcher.stem import stem

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
ANT_NEWS = CORPORA / "ant-news" / "articles.jsonl.gz"

Stemmer = Callable[[str], str]


# --- Baseline: Lucene's ArabicStemmer (Light10), ported line for line. ---------
# org.apache.lucene.analysis.ar.ArabicStemmer: remove the first prefix that
# matches (a 1-letter prefix only from words of 4+ letters; any prefix must leave
# 2 letters), then try every suffix in order, each removed if it matches and
# leaves 2 letters. Lucene runs it after its own normaliser, which folds ة to ه,
# so ية and ة never match here, exactly as in Lucene.
LIGHT10_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
LIGHT10_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def light10(word: str) -> str:
    """Lucene's ArabicStemmer on one normalised word (the baseline)."""
    for prefix in LIGHT10_PREFIXES:
        if len(prefix) == 1 and len(word) < 4:
            continue
        if len(word) < len(prefix) + 2:
            continue
        if word.startswith(prefix):
            word = word[len(prefix) :]
            break
    for suffix in LIGHT10_SUFFIXES:
        if len(word) >= len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def snowball_stemmer() -> tuple[str, Stemmer] | None:
    """Snowball's Arabic stemmer, from snowballstemmer or NLTK, if installed."""
    try:
        import snowballstemmer
    except ImportError:
        pass
    else:
        return "Snowball (snowballstemmer)", snowballstemmer.stemmer("arabic").stemWord
    try:
        from nltk.stem.snowball import SnowballStemmer
    except ImportError:
        return None
    return "Snowball (NLTK)", SnowballStemmer("arabic").stem


# --- Corpus words, normalised as the indexer does. ------------------------------
try:
    from searcher.normalise import normalise
except ImportError:
    # Minimal stand-in for searcher.normalise: diacritics and tatweel out, the
    # letter folds the stemmer expects, Latin lowercased.
    _DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")
    _FOLDS = str.maketrans("أإآٱىةؤئ", "اااايهءء")

    def normalise(s: str) -> str:
        return _DIACRITICS.sub("", s).translate(_FOLDS).lower()


try:
    from searcher.tokenize import iter_words

    def words_of(text: str) -> Iterator[str]:
        return (surface for _, _, surface in iter_words(text))

except ImportError:
    _WORD = re.compile(r"\w+")

    def words_of(text: str) -> Iterator[str]:
        return iter(_WORD.findall(text))


def corpus_word_counts(path: Path) -> collections.Counter[str]:
    """Normalised word -> number of tokens, over titles and bodies."""
    counts: collections.Counter[str] = collections.Counter()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = f"{record.get('title') or ''}\n{record.get('body') or ''}"
            counts.update(filter(None, map(normalise, words_of(text))))
    return counts


# --- Scores. --------------------------------------------------------------------
def groups_conflated(stemmer: Stemmer, groups: dict[str, tuple[str, ...]]) -> list[str]:
    """Names of the groups whose words all get one stem."""
    return [name for name, words in groups.items() if len({stemmer(w) for w in words}) == 1]


def wrong_merges(stemmer: Stemmer, pairs: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The keep-apart pairs that get one stem."""
    return [pair for pair in pairs if stemmer(pair[0]) == stemmer(pair[1])]


def words_per_second(stemmer: Stemmer, words: list[str]) -> float:
    started = time.perf_counter()
    for word in words:
        stemmer(word)
    return len(words) / (time.perf_counter() - started)


def changed_token_fraction(stemmer: Stemmer, counts: collections.Counter[str]) -> float:
    changed = sum(n for word, n in counts.items() if stemmer(word) != word)
    return changed / sum(counts.values())


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for cells in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(cells, widths)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=30, help="how many frequent changes to list")
    args = parser.parse_args()

    # Uncached, so the speed is the rules' own and not the lru_cache's.
    stemmers: list[tuple[str, Stemmer]] = [
        ("Light10 (Lucene, baseline)", light10),
        ("searcher.stem", stem.__wrapped__),
    ]
    snowball = snowball_stemmer()
    if snowball is None:
        print("Snowball skipped: neither snowballstemmer nor nltk is importable.\n")
    else:
        stemmers.append(snowball)

    counts = None
    if ANT_NEWS.exists():
        print(f"Reading {ANT_NEWS} ...", file=sys.stderr)
        counts = corpus_word_counts(ANT_NEWS)
        distinct = list(counts)
        print(f"ant-news: {sum(counts.values()):,} tokens, {len(distinct):,} distinct normalised words\n")
    else:
        print(f"{ANT_NEWS} not found: corpus columns skipped.\n")

    header = [
        "stemmer",
        f"groups conflated /{len(CONFLATION_GROUPS)}",
        f"held-out /{len(HELD_OUT_GROUPS)}",
        f"wrong merges /{len(KEEP_APART)}",
        f"corpus-found merges /{len(KEEP_APART_FOUND_IN_CORPUS)}",
    ]
    if counts is not None:
        header += ["tokens changed", "words/s (cold)"]
    rows = []
    failures = {}
    for name, stemmer in stemmers:
        conflated = groups_conflated(stemmer, CONFLATION_GROUPS)
        held_out = groups_conflated(stemmer, HELD_OUT_GROUPS)
        merged = wrong_merges(stemmer, KEEP_APART)
        merged_found = wrong_merges(stemmer, KEEP_APART_FOUND_IN_CORPUS)
        row = [name, len(conflated), len(held_out), len(merged), len(merged_found)]
        if counts is not None:
            speed = max(words_per_second(stemmer, distinct) for _ in range(3))
            row += [f"{changed_token_fraction(stemmer, counts):.1%}", f"{speed:,.0f}"]
        rows.append(row)
        failures[name] = (
            sorted(set(CONFLATION_GROUPS) - set(conflated)),
            sorted(set(HELD_OUT_GROUPS) - set(held_out)),
            [f"{a}/{b}" for a, b, _ in merged + merged_found],
        )
    print_table(header, rows)
    print()
    for name, (split, split_held_out, merged) in failures.items():
        print(f"{name}:")
        print(f"  groups split:          {', '.join(split) or '-'}")
        print(f"  held-out groups split: {', '.join(split_held_out) or '-'}")
        print(f"  pairs merged:          {' '.join(merged) or '-'}")
    print()

    if counts is None:
        return 0
    ours = stem
    changes = [(n, word, ours(word)) for word, n in counts.most_common() if ours(word) != word]
    print(f"searcher.stem: the {args.top} most frequent changes (tokens, surface -> stem):")
    for n, word, result in changes[: args.top]:
        print(f"  {n:>7,}  {word} -> {result}")
    print()
    disagreements = [
        (n, word, ours(word), light10(word))
        for word, n in counts.most_common()
        if ours(word) != light10(word)
    ]
    share = sum(n for n, *_ in disagreements) / sum(counts.values())
    print(f"searcher.stem vs Light10: they differ on {share:.1%} of tokens; the {args.top} most frequent:")
    print("  tokens   surface -> ours | Light10")
    for n, word, mine, baseline in disagreements[: args.top]:
        print(f"  {n:>7,}  {word} -> {mine} | {baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
