"""A known-item test set for spelling robustness, generated from the news corpora.

Deterministic for a given seed:

1. Sample ``n_docs`` articles (non-empty title and body) from ant-news and
   saudinewsnet together.
2. Pick targets among them: articles whose folded title is unique in the sample
   and has at least ``MIN_QUERY_WORDS`` eligible words (Arabic letters only, at
   least 3 letters once marks are removed). A target's query is its 2-4 title
   words (the count drawn per target) with the highest idf in the sample
   (document frequency of the folded, unstemmed word over titles and bodies),
   in title order, with any harakat and tatweel of the title removed: the
   *clean* spelling.
3. Rewrite every query in the spellings people type (``VARIANTS``); a variant
   that changes nothing in a query is not applicable to it, and that query is
   left out of the variant's row and of its paired clean score.
4. Document-side noise: ``n_noisy`` further targets have harakat and tatweel
   put into their own title and body before indexing, and are searched with
   their clean query only.

The folding used to pick words (``fold``) is this module's own, not the
project's normaliser, so the set does not lean on the code it measures.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

FATHA, DAMMA, KASRA, SUKUN, SHADDA = "\u064e", "\u064f", "\u0650", "\u0652", "\u0651"
TANWEEN = ("\u064b", "\u064c", "\u064d")
TATWEEL = "\u0640"
MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
ARABIC_WORD = re.compile("[\u0621-\u063a\u0641-\u064a\u0640\u064b-\u065f\u0670]+")
LETTERS = re.compile("[\u0621-\u063a\u0641-\u064a]")
#: Letters that do not join the next one: no tatweel after them.
NON_JOINING = set("اأإآٱدذرزوؤةءى")
#: Long vowels written bare in vocalised text: no haraka on them.
NO_HARAKA = set("اىآ")
_FOLD = str.maketrans("أإآٱىةؤئ", "اااايهءء")

MIN_QUERY_WORDS = 2
ARTICLE_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال")


def fold(word: str) -> str:
    """Marks out, alef/ya/ta marbuta/hamza seats folded: for idf and uniqueness only."""
    return MARKS.sub("", word).translate(_FOLD)


def clean(word: str) -> str:
    """The word as written, without harakat and tatweel."""
    return MARKS.sub("", word)


def letter_count(word: str) -> int:
    return len(LETTERS.findall(word))


# --- Spelling variants: each maps a clean word to how someone might type it. ---


def add_harakat(word: str, rng: random.Random, rate: float = 0.7) -> str:
    """Random harakat (and some shadda, a final tanween) on the letters of ``word``."""
    out = []
    letters = [i for i, c in enumerate(word) if LETTERS.fullmatch(c)]
    last = letters[-1] if letters else -1
    added = False
    for i, char in enumerate(word):
        out.append(char)
        if i not in letters or char in NO_HARAKA or rng.random() >= rate:
            continue
        if rng.random() < 0.15:
            out.append(SHADDA)
        if i == last and rng.random() < 0.3:
            out.append(rng.choice(TANWEEN))
        else:
            out.append(rng.choice((FATHA, FATHA, DAMMA, KASRA, SUKUN)))
        added = True
    if not added and letters:
        first = letters[0]
        return word[: first + 1] + FATHA + word[first + 1 :]
    return "".join(out)


def add_tatweel(word: str, rng: random.Random) -> str:
    """One or two tatweels after a joining letter inside the word (headline style)."""
    slots = [
        i
        for i in range(len(word) - 1)
        if LETTERS.fullmatch(word[i]) and word[i] not in NON_JOINING and LETTERS.fullmatch(word[i + 1])
    ]
    if not slots:
        return word
    i = rng.choice(slots)
    return word[: i + 1] + TATWEEL * rng.choice((1, 1, 2)) + word[i + 1 :]


def add_clitic(word: str, rng: random.Random) -> str:
    """و, ال or بال before the word; و, ب or ل (written لل) before a word that has ال;
    only و before a word that starts with ل or ب (which may be a preposition already);
    nothing before a word that starts with و (which may be the conjunction already).

    No part of speech is known, so some results are not grammatical (an article
    on a verb): they still test what the analysis does with the clitic.
    """
    if word.startswith("ال"):
        clitic = rng.choice(("و", "ب", "ل"))
        return "ل" + word[1:] if clitic == "ل" else clitic + word
    if word[0] == "و":  # maybe the conjunction already: nothing can go before it
        return word
    if word[0] in "لب":  # maybe a preposition already: only the conjunction can go before it
        return "و" + word
    return rng.choice(("و", "ال", "بال")) + word


def drop_clitic(word: str, rng: random.Random) -> str:
    """The word without its article stack (وبال وال بال فال كال لل ال), if 3 letters remain."""
    for prefix in ARTICLE_PREFIXES:
        if word.startswith(prefix) and letter_count(word[len(prefix) :]) >= 3:
            return word[len(prefix) :]
    return word


def _swap(table: dict[str, str], final: dict[str, str]) -> Callable[[str, random.Random], str]:
    """Replace letters anywhere (``table``) and as the last letter (``final``)."""
    trans = str.maketrans(table)

    def swap(word: str, rng: random.Random) -> str:
        word = word.translate(trans)
        if word and word[-1] in final:
            word = word[:-1] + final[word[-1]]
        return word

    return swap


#: name -> (table label, word rewrite). Every variant rewrites every query word it can.
VARIANTS: dict[str, tuple[str, Callable[[str, random.Random], str]]] = {
    "clean": ("clean", lambda w, rng: w),
    "diacritics": ("harakat", add_harakat),
    "bare_alef": ("أإآ→ا", _swap({"أ": "ا", "إ": "ا", "آ": "ا"}, {})),
    "teh_yeh": ("ة→ه ى→ي", _swap({"ة": "ه", "ى": "ي"}, {})),
    "teh_yeh_reverse": ("ه→ة ي→ى (final)", _swap({}, {"ه": "ة", "ي": "ى"})),
    "tatweel": ("tatweel", add_tatweel),
    "clitic_added": ("clitic added", add_clitic),
    "clitic_dropped": ("clitic dropped", drop_clitic),
}
DOC_NOISE = "doc_noise"
DOC_NOISE_LABEL = "doc: harakat+tatweel"


def noisy_text(text: str, rng: random.Random, p_harakat: float, p_tatweel: float) -> str:
    """``text`` with harakat in a share of its words and tatweel in another share."""

    def one(match: re.Match) -> str:
        word = match.group()
        if rng.random() < p_tatweel:
            word = add_tatweel(word, rng)
        if rng.random() < p_harakat:
            word = add_harakat(word, rng)
        return word

    return ARABIC_WORD.sub(one, text)


# --- The set. ----------------------------------------------------------------------


@dataclass
class SpellingSet:
    docs: list[dict]
    #: qid -> query text; qids are "<target>-<variant>".
    queries: dict[str, str]
    #: qid -> {docid: 1}
    qrels: dict[str, dict[str, int]]
    #: variant -> qids of the queries it applies to (the clean ones of the same targets pair up)
    by_variant: dict[str, list[str]] = field(default_factory=dict)
    #: qid -> target title, for failure reports
    titles: dict[str, str] = field(default_factory=dict)

    def write_docs(self, path: Path) -> None:
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for doc in self.docs:
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")


def read_records(paths: Iterable[Path], limit_per_file: int | None = None) -> list[dict]:
    """Records with a non-empty title and body, in file order."""
    records = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                if limit_per_file is not None and n >= limit_per_file:
                    break
                record = json.loads(line)
                if (record.get("title") or "").strip() and (record.get("body") or "").strip():
                    records.append(record)
    return records


def title_words(title: str) -> list[str]:
    """Eligible query words of a title, cleaned, in order."""
    words = []
    for match in ARABIC_WORD.finditer(title):
        word = clean(match.group())
        if letter_count(word) >= 3 and word == "".join(LETTERS.findall(word)):
            words.append(word)
    return words


def build(
    corpora: list[Path],
    *,
    n_docs: int,
    n_targets: int,
    n_noisy: int,
    seed: int,
    limit_per_file: int | None = None,
) -> SpellingSet:
    rng = random.Random(seed)
    pool = read_records(corpora, limit_per_file)
    docs = rng.sample(pool, min(n_docs, len(pool)))

    df: Counter[str] = Counter()
    title_count: Counter[str] = Counter()
    for doc in docs:
        text = f"{doc['title']}\n{doc['body']}"
        df.update({fold(m.group()) for m in ARABIC_WORD.finditer(text)})
        title_count[" ".join(fold(w) for w in ARABIC_WORD.findall(doc["title"]))] += 1

    def idf(word: str) -> float:
        return math.log(len(docs) / max(1, df[fold(word)]))

    candidates = []
    for i, doc in enumerate(docs):
        if title_count[" ".join(fold(w) for w in ARABIC_WORD.findall(doc["title"]))] != 1:
            continue
        words = title_words(doc["title"])
        if len({fold(w) for w in words}) >= max(MIN_QUERY_WORDS, 3):
            candidates.append(i)
    chosen = rng.sample(candidates, min(n_targets + n_noisy, len(candidates)))
    noisy = set(chosen[n_targets:])

    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    by_variant: dict[str, list[str]] = {name: [] for name in [*VARIANTS, DOC_NOISE]}
    titles: dict[str, str] = {}
    for t, i in enumerate(chosen):
        doc = docs[i]
        words = title_words(doc["title"])
        k = rng.choice((2, 3, 4))
        seen: set[str] = set()
        ranked = []
        for pos, word in sorted(enumerate(words), key=lambda pw: (-idf(pw[1]), pw[0])):
            if fold(word) not in seen:
                seen.add(fold(word))
                ranked.append((pos, word))
        query_words = [w for _, w in sorted(ranked[:k])]
        target = f"t{t:04d}"
        if i in noisy:
            # The query comes from the clean title; the indexed article is noisy.
            names = [DOC_NOISE]
            doc["title"] = noisy_text(doc["title"], rng, p_harakat=1.0, p_tatweel=0.3)
            doc["body"] = noisy_text(doc["body"], rng, p_harakat=0.5, p_tatweel=0.2)
        else:
            names = list(VARIANTS)
        for name in names:
            rewrite = VARIANTS["clean"][1] if name == DOC_NOISE else VARIANTS[name][1]
            variant_rng = random.Random(f"{seed}-{target}-{name}")
            variant = [rewrite(w, variant_rng) for w in query_words]
            if name not in ("clean", DOC_NOISE) and variant == query_words:
                continue
            qid = f"{target}-{name}"
            queries[qid] = " ".join(variant)
            qrels[qid] = {doc["id"]: 1}
            by_variant[name].append(qid)
            titles[qid] = doc["title"]
    return SpellingSet(docs=docs, queries=queries, qrels=qrels, by_variant=by_variant, titles=titles)
