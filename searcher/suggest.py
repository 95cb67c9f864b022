""""Did you mean": spellings of a query's words that the archive itself uses.

Pure logic over a :class:`Lexicon` (how many articles hold a search form, which
search forms are a few edits away, how a form is spelled in the articles), so
any engine can answer the lookups; ``Archive.suggest`` wires Whoosh's term
dictionary to it. No Whoosh here.

Words are compared by their search forms (normalised and light-stemmed), so a
difference in diacritics, hamza seat, tatweel, ى/ي, ة/ه or a clitic is never
taken for a typo: such spellings already find the same articles. A suggestion
is shown as a real spelling from the articles, the one closest to what was
typed (``والباغوص`` gets ``والباغوز``, not the bare stem ``باغوز``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .normalise import DELETED_CHARS
from .terms import exact_form

#: A word whose search form is in more than this many articles is a real word:
#: never corrected, asked (``--suggest``) or not.
RARE_WORD = 2
#: A word in 1 to RARE_WORD articles may still be a typo that slipped into the
#: articles: unasked, it is corrected only by a spelling at least this many times
#: more frequent, and (asked or not) only by a likely slip (see LIKELY_SLIP).
FREQUENCY_RATIO = 10
#: The most a rare word's correction may cost (:func:`weighted_distance`): one
#: common confusion or dot variant, never another letter (``عاصفه`` is no slip
#: of ``عاصمة``).
LIKELY_SLIP = 0.5
#: A suggestion must occur in at least this many articles (a typo in one
#: article is no spelling to suggest).
MIN_FREQUENCY = 2
#: Words longer than this (search form) get no suggestion: no such word exists,
#: and the edit automaton over a long word is slow.
MAX_WORD_LENGTH = 30
#: Candidates kept per word.
CANDIDATES_PER_WORD = 3


class Lexicon(Protocol):
    """What suggestions need to know about an archive's words."""

    def frequency(self, term: str) -> int:
        """Articles that hold the search form ``term``."""

    def neighbours(self, term: str, max_distance: int) -> Iterable[str]:
        """Search forms within ``max_distance`` edits of ``term`` (in any order)."""

    def surfaces(self, term: str) -> Counter[str]:
        """Spellings of the search form ``term`` in the articles, with how often each was seen."""


@dataclass(frozen=True, slots=True)
class QueryWord:
    """One word of the query text: where it is, and its search form."""

    start: int
    end: int
    text: str
    search_form: str


@dataclass(frozen=True, slots=True)
class Correction:
    """One word replaced: what was typed, what to type instead, and how common that is."""

    word: str
    replacement: str
    frequency: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A whole query to try instead, with the hits it would find (None: not counted)."""

    text: str
    corrections: tuple[Correction, ...]
    hits: int | None = None


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``.

    With ``limit``, any distance above it is reported as ``limit + 1``.

    >>> edit_distance("باغوص", "باغوز"), edit_distance("بغاوز", "باغوز"), edit_distance("", "ab")
    (1, 1, 2)
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        # A swap reaches back two rows, so both must be over the limit to stop early.
        if limit is not None and min(current) > limit and min(previous) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if limit is None else min(previous[-1], limit + 1)


#: Letters that differ only by their dots (ر/ز, س/ش, ح/ج/خ ...): swapping one for
#: another is a common slip in typing or reading Arabic, so it costs DOT_COST.
_DOT_VARIANTS = ["رز", "سش", "صض", "طظ", "عغ", "حجخ", "دذ", "بتثني", "فق", "هة", "وؤ", "اأإآ", "يى"]
#: Letters people write for one another (by sound, or as their dialect says
#: them), as they are in search forms (ة is ه, ى is ي, a hamza on a seat is ء):
#: ذ/ز, ض/ظ, ث/س, ة/ت, ا/ى, hamza seats, ص/س, ط/ت, ق/ك, د/ذ, ض/د, ظ/ز, ث/ت.
#: Each costs CONFUSION_COST (measured on ``benchmarks/typos.tsv``).
_CONFUSIONS = ["ذز", "ضظ", "ثس", "تهة", "ايى", "ءاأإآ", "ءيئ", "ءوؤ", "صس", "طت", "قك", "دذ", "ضد", "ظز", "ثت"]
DOT_COST = 0.5
CONFUSION_COST = 0.25
#: Swapping two neighbouring letters is cheaper than two edits, and than one other letter.
SWAP_COST = 0.75


def _pairs(groups: list[str]) -> set[tuple[str, str]]:
    return {(a, b) for group in groups for a in group for b in group if a != b}


_SAME_SKELETON = _pairs(_DOT_VARIANTS)
_CONFUSED = _pairs(_CONFUSIONS)
#: Letters a word's first letter is often typed as (candidates are looked up
#: with the first letter fixed, so these need their own lookup).
_FIRST_LETTER_SLIPS = {a: sorted({b for x, b in _CONFUSED | _SAME_SKELETON if x == a}) for a, _ in _CONFUSED | _SAME_SKELETON}


def substitution_cost(a: str, b: str) -> float:
    """What writing ``a`` for ``b`` costs: 0, a confusion, a dot variant, or a whole edit.

    >>> substitution_cost("ذ", "ز"), substitution_cost("ر", "ز"), substitution_cost("ك", "ز")
    (0.25, 0.5, 1.0)
    """
    if a == b:
        return 0.0
    if (a, b) in _CONFUSED:
        return CONFUSION_COST
    if (a, b) in _SAME_SKELETON:
        return DOT_COST
    return 1.0


def weighted_distance(a: str, b: str) -> float:
    """Edit distance with the common slips cheaper: confusions, dot variants, swaps.

    >>> weighted_distance("حذم", "حزم"), weighted_distance("عسيز", "عسير"), weighted_distance("عسيز", "عزيز")
    (0.25, 0.5, 1.0)
    """
    previous2: list[float] = []
    previous = [float(j) for j in range(len(b) + 1)]
    for i, char_a in enumerate(a, 1):
        current = [float(i)] + [0.0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + substitution_cost(char_a, char_b),
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b and char_a != char_b:
                current[j] = min(current[j], previous2[j - 2] + SWAP_COST)
        previous2, previous = previous, current
    return previous[-1]


def max_distance(term: str) -> int:
    """Edits allowed for a search form of this length: none for very short words.

    >>> max_distance("في"), max_distance("نفط"), max_distance("باغوز")
    (0, 1, 2)
    """
    if len(term) <= 2:
        return 0
    return 1 if len(term) <= 4 else 2


def candidates_of(term: str, lexicon: Lexicon) -> set[str]:
    """Search forms within :func:`max_distance` edits of ``term``, also those differing in
    the first letter by a common slip (``ضهران`` finds ``ظهران``)."""
    limit = max_distance(term)
    if not limit or len(term) > MAX_WORD_LENGTH:
        return set()
    found = set(lexicon.neighbours(term, limit))
    for letter in _FIRST_LETTER_SLIPS.get(term[0], ()):
        variant = letter + term[1:]
        if limit > 1:
            found.update(lexicon.neighbours(variant, limit - 1))
        if lexicon.frequency(variant):
            found.add(variant)
    found.discard(term)
    return found


#: Candidates (by search form) whose spellings are read to rank them again by
#: the spelling closest to what was typed.
RERANKED = 8
#: How much a tenfold more frequent candidate may be farther (in weighted edits).
FREQUENCY_WEIGHT = 0.1


def rank_candidates(
    term: str, frequency: int, candidates: dict[str, int], *, forced: bool = False, keep: int = CANDIDATES_PER_WORD
) -> list[tuple[str, int, float]]:
    """(candidate, frequency, weighted distance) worth suggesting for ``term``, best first.

    The rule: a word in more than RARE_WORD articles is a real word and is never
    corrected (``forced`` or not). A word in no article is corrected by its
    closest spellings in at least MIN_FREQUENCY articles; a word in 1 to
    RARE_WORD articles only by a likely slip (one confusion or dot variant away)
    that is more frequent, FREQUENCY_RATIO times more unless ``forced``.
    Candidates are ranked by weighted distance (:func:`weighted_distance`), less
    FREQUENCY_WEIGHT per tenfold of their frequency.

    >>> rank_candidates("باغوص", 0, {"باغوز": 40, "باغوت": 1, "باغوص": 0, "غوص": 90})
    [('باغوز', 40, 1.0), ('غوص', 90, 2.0)]
    >>> rank_candidates("عسيز", 1, {"عسير": 40, "عزيز": 90})
    [('عسير', 40, 0.5)]
    >>> rank_candidates("باغوز", 40, {"باغوت": 3}), rank_candidates("باغوز", 3, {"باغوت": 90}, forced=True)
    ([], [])
    """
    if frequency > RARE_WORD or len(term) > MAX_WORD_LENGTH:
        return []
    limit = max_distance(term)
    ranked = []
    for candidate, candidate_frequency in candidates.items():
        if candidate == term or candidate_frequency < MIN_FREQUENCY or candidate_frequency <= frequency:
            continue
        if frequency and not forced and candidate_frequency < FREQUENCY_RATIO * frequency:
            continue
        distance = weighted_distance(term, candidate)
        if distance > limit or (frequency and distance > LIKELY_SLIP):
            continue
        ranked.append((candidate, candidate_frequency, distance))
    ranked.sort(key=lambda c: (_score(c[2], c[1]), c[0]))
    return ranked[:keep]


def _score(distance: float, frequency: int) -> float:
    """Lower is better: weighted edits, less FREQUENCY_WEIGHT per tenfold of articles."""
    return distance - FREQUENCY_WEIGHT * math.log10(max(frequency, 1))


def choose_spelling(typed: str, surfaces: Counter[str]) -> str | None:
    """The corpus spelling to show for a suggestion: closest to what was typed.

    Spellings are compared by their exact (normalised) forms, so the clitics the
    user typed are kept when the articles have them; among equal forms, a bare
    spelling (no harakat, no tatweel) before a marked one, then the most frequent.

    >>> choose_spelling("والباغوص", Counter({"الباغوز": 9, "والباغوز": 2, "البَاغُوزِ": 1}))
    'والباغوز'
    >>> choose_spelling("باغوص", Counter({"الباغوز": 9, "البَاغُوزِ": 1}))
    'الباغوز'
    """
    if not surfaces:
        return None
    typed_form = exact_form(typed)

    def marked(spelling: str) -> bool:
        return any(char in DELETED_CHARS for char in spelling)

    def key(spelling: str):
        return (weighted_distance(typed_form, exact_form(spelling)), marked(spelling), -surfaces[spelling], spelling)

    return min(surfaces, key=key)


def suggest(
    text: str,
    words: Sequence[QueryWord],
    lexicon: Lexicon,
    *,
    forced: bool = False,
    limit: int = 3,
    stop: Callable[[], bool] | None = None,
) -> list[Suggestion]:
    """Whole queries to try instead of ``text``: the best spelling of every doubtful word
    first, then the second-best of each word in turn.

    ``words`` are the query's searchable words (not operators, field names or
    exact forms). A word typed several times is looked up once. ``stop`` is
    asked between lookups: when it returns True, the words not looked up yet
    get no suggestion (a time budget).
    """
    choices: list[tuple[QueryWord, list[tuple[str, int]]]] = []
    options_of: dict[str, list[tuple[str, int]]] = {}
    for word in words:
        if word.text not in options_of:
            if stop is not None and stop():
                break
            options_of[word.text] = _options(word, lexicon, forced, stop)
        if options_of[word.text]:
            choices.append((word, options_of[word.text]))
    if not choices:
        return []
    variants = [{word: options[0] for word, options in choices}]
    for word, options in choices:
        for option in options[1:]:
            if len(variants) >= limit:
                break
            variants.append({**variants[0], word: option})
    return [_apply(text, variant) for variant in variants[:limit]]


def _options(word: QueryWord, lexicon: Lexicon, forced: bool, stop) -> list[tuple[str, int]]:
    """(spelling, frequency) to offer for one word, best first (at most CANDIDATES_PER_WORD)."""
    frequency = lexicon.frequency(word.search_form)
    if frequency > RARE_WORD or len(word.search_form) > MAX_WORD_LENGTH:
        return []
    candidates = {c: lexicon.frequency(c) for c in candidates_of(word.search_form, lexicon)}
    ranked = rank_candidates(word.search_form, frequency, candidates, forced=forced, keep=RERANKED)
    typed = exact_form(word.text)
    scored = []
    for candidate, candidate_frequency, distance in ranked:
        if stop is not None and stop():
            break
        spelling = choose_spelling(word.text, lexicon.surfaces(candidate))
        if spelling is not None and exact_form(spelling) != typed:
            # Stemming may hide or add an edit (الحديدت is حديدت, الحديدة is حديد):
            # the closer of the search forms and the spellings counts.
            distance = min(distance, weighted_distance(typed, exact_form(spelling)))
            scored.append((_score(distance, candidate_frequency), spelling, candidate_frequency))
    scored.sort()
    return [(spelling, f) for _, spelling, f in scored[:CANDIDATES_PER_WORD]]


def _apply(text: str, replacements: dict[QueryWord, tuple[str, int]]) -> Suggestion:
    """The query text with some words replaced (right to left, so offsets stay valid)."""
    corrections = []
    for word in sorted(replacements, key=lambda w: w.start, reverse=True):
        spelling, frequency = replacements[word]
        text = text[: word.start] + spelling + text[word.end :]
        corrections.append(Correction(word.text, spelling, frequency))
    return Suggestion(text, tuple(reversed(corrections)))
