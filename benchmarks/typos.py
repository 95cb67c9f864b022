"""How often "did you mean" offers the intended word for a typo, and rewrites a correct one.

    python benchmarks/typos.py                      # build a 20,000-article index, score typos.tsv
    python benchmarks/typos.py --index-dir /tmp/ix  # reuse (or build once into) that index
    python benchmarks/typos.py --make-set           # regenerate benchmarks/typos.tsv (same seed, same rows)

The index holds every 3rd of the first 30,000 articles of ant-news and of
saudinewsnet (20,000 articles). ``benchmarks/typos.tsv`` has one row per query
word: ``typo``, ``intended`` and ``kind``. Typo rows were made from real words of
that sample (mid- and high-frequency words, and a list of names and places) by
one of the common Arabic letter confusions (``ذ/ز``, ``ض/ظ``, ``ث/س`` ...) or one
deleted, inserted or swapped letter, and kept only when the typo's search form is
in no article of the index (a typo that finds nothing) and the intended word's
is in at least 20. ``kind`` = ``correct`` rows are real words, some spelled in
a variant the analysis folds (``عاصفه``, ``مستشفي``, ``مسئول``, ``اسعار``): they
must get no suggestion.

Reported (each typo asked alone, as ``search query TYPO`` does):

* precision@1: the first suggestion is the intended word (compared by search
  form); a typo with no suggestion counts as a miss;
* recall@3: the intended word is among the suggestions;
* false corrections: correct words that get a suggestion unasked, and with
  ``--suggest`` (``forced``);
* suggestions with 0 hits (must be none) and the time per word.

To score other code (the original, say) put it first on the path:
``PYTHONPATH=/tmp/orig python benchmarks/typos.py --index-dir /tmp/ix``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import re
import sys
import time
from collections import Counter, defaultdict
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
TYPOS = Path(__file__).with_name("typos.tsv")
try:  # code put first on PYTHONPATH wins; else this checkout
    import searcher  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO))

SOURCES = ("ant-news", "saudinewsnet")
PER_SOURCE = 10_000
STEP = 3
SEED = 20240611

#: Letter pairs people confuse when typing Arabic (both directions).
CONFUSIONS = ["ذز", "ضظ", "ثس", "ةت", "اى", "صس", "طت", "قك", "دذ", "ضد", "ظز", "ثت", "ئي", "ؤو"]
#: Letters written only at the end of a word (ة, ى) or never at its start (ؤ, ئ).
FINAL_ONLY, NOT_FIRST = set("ةى"), set("ؤئ")
#: Typos people were seen to type, always in the set.
FIXED = [("الحذم", "الحزم", "ذ/ز")]
#: Typo rows per confusion pair, and per kind of one-letter edit.
PER_CONFUSION = 6
PER_EDIT = 10
#: Names and places of the 2015-2019 news (typos are made from those the sample has).
NAMES = [
    "الرياض", "جدة", "الظهران", "الدمام", "القطيف", "نجران", "جازان", "عسير", "الطائف", "ذمار", "صنعاء",
    "الحديدة", "عدن", "تعز", "دمشق", "حلب", "حمص", "إدلب", "الرقة", "دير", "الزور", "بغداد", "الموصل",
    "البصرة", "القاهرة", "الإسكندرية", "طرابلس", "بنغازي", "تونس", "الجزائر", "الرباط", "عمان", "بيروت",
    "القدس", "غزة", "أبوظبي", "دبي", "الدوحة", "الكويت", "المنامة", "مسقط", "طهران", "أنقرة", "إسطنبول",
    "موسكو", "واشنطن", "سلمان", "محمد", "عبدالعزيز", "الحوثي", "الحوثيين", "داعش", "الأسد", "أردوغان",
    "ترامب", "أوباما", "بوتين", "زايد", "حزب", "الله", "الظواهري", "البغدادي", "عاصفة", "الحزم",
]
#: Correct words the analysis folds to a word of the index: never a typo.
CORRECT_VARIANTS = [
    "عاصفه", "عاصفة", "مستشفي", "مستشفى", "مسئول", "مسؤول", "اسعار", "أسعار", "الاسلامية", "الإسلامية",
    "القاهره", "الهيئه", "هيئة", "مبادره", "علي", "على", "الي", "إلى", "ابو", "أبو", "اكثر", "أكثر",
    "رئيس", "الرئيس", "المسئولين", "الشوري", "الشورى", "فتاوي", "الأزمة", "الازمه",
]
WORD = re.compile("[\u0621-\u063a\u0641-\u064a]{4,}")


def sample_lines() -> list[str]:
    lines = []
    for name in SOURCES:
        with gzip.open(CORPORA / name / "articles.jsonl.gz", "rt", encoding="utf-8") as f:
            lines.extend(islice(f, 0, STEP * PER_SOURCE, STEP))
    return lines


def build_index(index_dir: Path) -> None:
    from searcher.indexer import Indexer
    from searcher.ingest import CorpusReader

    index_dir.mkdir(parents=True, exist_ok=True)
    sample = index_dir.parent / (index_dir.name + ".sample.jsonl")
    sample.write_text("".join(sample_lines()), encoding="utf-8")
    started = time.perf_counter()
    with Indexer(index_dir) as indexer:
        for article in CorpusReader([str(sample)], on_problem=indexer.report):
            indexer.add(article)
    sample.unlink()
    print(f"indexed 20,000 articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def has_index(index_dir: Path) -> bool:
    return index_dir.is_dir() and any(index_dir.glob("*.toc"))


def make_set(index_dir: Path) -> list[tuple[str, str, str]]:
    """Typo rows generated from the sample's words (deterministic), then the correct rows."""
    import json

    from searcher.query import Archive
    from searcher.terms import search_form

    words: Counter[str] = Counter()
    for line in sample_lines():
        article = json.loads(line)
        words.update(set(WORD.findall(f"{article.get('title') or ''} {article.get('body') or ''}")))
    with Archive(index_dir) as archive:
        reader = archive._searcher.reader()

        def frequency(word: str) -> int:
            form = search_form(word)
            return max(reader.doc_frequency(f, form) for f in ("title", "body")) if form else 0

        rng = random.Random(SEED)
        # Mid- and high-frequency words (in 20 to 3,000 articles), and the names.
        common = sorted(w for w, n in words.items() if 20 <= n <= 3000 and len(w) >= 5)
        names = [n for n in NAMES if frequency(n) >= 20]
        rows: list[tuple[str, str, str]] = []
        used: set[str] = {word for _, word, _ in FIXED}
        rows.extend(FIXED)

        def keep(typo: str, word: str, kind: str) -> bool:
            if word in used or search_form(typo) == search_form(word) or frequency(typo) or frequency(word) < 20:
                return False
            used.add(word)
            rows.append((typo, word, kind))
            return True

        for pair in CONFUSIONS:
            made = 0
            pool = names + rng.sample(common, len(common))
            for word in pool:
                if made >= PER_CONFUSION:
                    break
                for source, target in (pair, pair[::-1]):
                    spots = [
                        i
                        for i, c in enumerate(word)
                        if c == source
                        and (i == len(word) - 1 or not {source, target} & FINAL_ONLY)
                        and (i > 0 or not {source, target} & NOT_FIRST)
                    ]
                    if spots:
                        i = rng.choice(spots)
                        if keep(word[:i] + target + word[i + 1 :], word, f"{pair[0]}/{pair[1]}"):
                            made += 1
                            break
        letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
        edits = {
            "deletion": lambda w, i: w[:i] + w[i + 1 :],
            "insertion": lambda w, i: w[:i] + rng.choice(letters) + w[i:],
            "transposition": lambda w, i: w[:i] + w[i + 1] + w[i] + w[i + 2 :],
        }
        for kind, edit in edits.items():
            made = 0
            for word in names[::3] + rng.sample(common, 400):
                if made >= PER_EDIT:
                    break
                start = 2 if word.startswith("ال") else 0  # a slip in the stem, not the article
                if len(word) - start < 4:
                    continue
                i = rng.randrange(start + 1, len(word) - 1)
                if kind == "transposition" and word[i] == word[i + 1]:
                    continue
                made += keep(edit(word, i), word, kind)
        for word in CORRECT_VARIANTS + rng.sample([w for w in common if w not in used], 12):
            if frequency(word) >= 3:
                rows.append((word, word, "correct"))
    return rows


def read_set(path: Path = TYPOS) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["typo"], r["intended"], r["kind"]) for r in csv.DictReader(f, delimiter="\t")]


def score(index_dir: Path, rows: list[tuple[str, str, str]], verbose: bool = False) -> dict:
    from searcher.query import Archive, SearchRequest
    from searcher.terms import search_form

    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    typo_rows = correct_rows = top1 = top3 = offered = false_unasked = false_forced = zero = 0
    started = time.perf_counter()
    with Archive(index_dir) as archive:
        for typo, intended, kind in rows:
            found = archive.suggest(SearchRequest(typo))
            zero += sum(1 for s in found if not s.hits)
            if kind == "correct":
                correct_rows += 1
                forced = archive.suggest(SearchRequest(typo), forced=True)
                zero += sum(1 for s in forced if not s.hits)
                false_unasked += bool(found)
                false_forced += bool(forced)
                if verbose and (found or forced):
                    print(f"FALSE\t{typo}\t{(found or forced)[0].text}", file=sys.stderr)
                continue
            typo_rows += 1
            forms = [search_form(s.text) for s in found]
            hit = bool(forms) and forms[0] == search_form(intended)
            top1 += hit
            top3 += search_form(intended) in forms
            offered += bool(found)
            kinds[kind][0] += hit
            kinds[kind][1] += 1
            if verbose and not hit:
                print(f"MISS\t{kind}\t{typo}\t{intended}\t{' | '.join(s.text for s in found)}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    return {
        "typos": typo_rows,
        "precision@1": top1 / typo_rows,
        "recall@3": top3 / typo_rows,
        "offered": offered / typo_rows,
        "correct": correct_rows,
        "false_unasked": false_unasked / correct_rows,
        "false_forced": false_forced / correct_rows,
        "zero_hit_suggestions": zero,
        "ms_per_word": 1000 * elapsed / (typo_rows + 2 * correct_rows),
        "by_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(kinds.items())},
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, help="index to reuse, or to build once (default: a temporary one)")
    parser.add_argument("--make-set", action="store_true", help=f"regenerate {TYPOS.name} from the index")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false corrections on stderr")
    args = parser.parse_args(argv)
    if not all((CORPORA / name).exists() for name in SOURCES):
        sys.exit(f"{CORPORA} not found: the benchmark needs the shared corpora beside the repository")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        if not has_index(index_dir):
            build_index(index_dir)
        if args.make_set:
            rows = make_set(index_dir)
            with TYPOS.open("w", encoding="utf-8", newline="") as f:
                f.write("typo\tintended\tkind\n")
                f.writelines(f"{t}\t{i}\t{k}\n" for t, i, k in rows)
            print(f"{TYPOS}: {len(rows)} rows", file=sys.stderr)
        result = score(index_dir, read_set(), args.verbose)
    by_kind = result.pop("by_kind")
    for key, value in result.items():
        print(f"{key:22} {value:.3f}" if isinstance(value, float) else f"{key:22} {value}")
    print("precision@1 by kind    " + "  ".join(f"{k} {v}" for k, v in by_kind.items()))


if __name__ == "__main__":
    main()
