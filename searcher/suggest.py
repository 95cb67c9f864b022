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

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .normalise import DELETED_CHARS
from .terms import exact_form

#: Unasked, a word is only corrected when this rare (articles holding it)...
RARE_WORD = 2
#: ...and, unless the word is in no article at all, the suggestion is at
#: least this many times more frequent.
FREQUENCY_RATIO = 10
#: A suggestion must occur in at least this many articles (a typo in one
#: article is no spelling to suggest).
MIN_FREQUENCY = 2
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
#: another is the commonest slip in typing or reading Arabic, so it counts half.
_DOT_VARIANTS = ["رز", "سش", "صض", "طظ", "عغ", "حجخ", "دذ", "بتثني", "فق", "هة", "وؤ", "اأإآ", "يى"]
_SAME_SKELETON = {(a, b) for group in _DOT_VARIANTS for a in group for b in group if a != b}


def weighted_distance(a: str, b: str) -> float:
    """Edit distance with a substitution between dot variants counting half.

    >>> weighted_distance("عسيز", "عسير"), weighted_distance("عسيز", "عزيز")
    (0.5, 1.0)
    """
    rows = list(range(len(b) + 1))
    previous = [float(i) for i in rows]
    for i, char_a in enumerate(a, 1):
        current = [float(i)] + [0.0] * len(b)
        for j, char_b in enumerate(b, 1):
            if char_a == char_b:
                cost = 0.0
            elif (char_a, char_b) in _SAME_SKELETON:
                cost = 0.5
            else:
                cost = 1.0
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        previous = current
    return previous[-1]


def max_distance(term: str) -> int:
    """Edits allowed for a search form of this length: none for very short words.

    >>> max_distance("في"), max_distance("نفط"), max_distance("باغوز")
    (0, 1, 2)
    """
    if len(term) <= 2:
        return 0
    return 1 if len(term) <= 4 else 2


def rank_candidates(
    term: str, frequency: int, candidates: dict[str, int], *, forced: bool = False
) -> list[tuple[str, int, int]]:
    """(candidate, frequency, distance) worth suggesting for ``term``, best first.

    Closer spellings first (by :func:`weighted_distance`), then more frequent
    ones. Unless ``forced``, only a rare ``term`` is corrected, and only by a
    much more frequent spelling.

    >>> rank_candidates("باغوص", 0, {"باغوز": 40, "باغوت": 1, "باغوص": 0, "غوص": 90})
    [('باغوز', 40, 1), ('غوص', 90, 2)]
    >>> rank_candidates("باغوص", 1, {"باغوز": 40, "باغوت": 9})
    [('باغوز', 40, 1)]
    >>> rank_candidates("باغوز", 40, {"باغوت": 3})
    []
    """
    if not forced and frequency > RARE_WORD:
        return []
    limit = max_distance(term)
    ranked = []
    for candidate, candidate_frequency in candidates.items():
        if candidate == term or candidate_frequency < MIN_FREQUENCY or candidate_frequency <= frequency:
            continue
        if not forced and frequency and candidate_frequency < FREQUENCY_RATIO * frequency:
            continue
        distance = edit_distance(term, candidate, limit)
        if distance <= limit:
            ranked.append((candidate, candidate_frequency, distance))
    ranked.sort(key=lambda c: (weighted_distance(term, c[0]), -c[1], c[0]))
    return ranked[:CANDIDATES_PER_WORD]


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
        return (edit_distance(typed_form, exact_form(spelling)), marked(spelling), -surfaces[spelling], spelling)

    return min(surfaces, key=key)


def suggest(
    text: str, words: Sequence[QueryWord], lexicon: Lexicon, *, forced: bool = False, limit: int = 3
) -> list[Suggestion]:
    """Whole queries to try instead of ``text``: the best spelling of every doubtful word
    first, then the second-best of each word in turn.

    ``words`` are the query's searchable words (not operators, field names or
    exact forms).
    """
    choices: list[tuple[QueryWord, list[tuple[str, int]]]] = []
    for word in words:
        frequency = lexicon.frequency(word.search_form)
        candidates = {c: lexicon.frequency(c) for c in lexicon.neighbours(word.search_form, max_distance(word.search_form))}
        spellings = []
        for candidate, candidate_frequency, _ in rank_candidates(word.search_form, frequency, candidates, forced=forced):
            spelling = choose_spelling(word.text, lexicon.surfaces(candidate))
            if spelling is not None and exact_form(spelling) != exact_form(word.text):
                spellings.append((spelling, candidate_frequency))
        if spellings:
            choices.append((word, spellings))
    if not choices:
        return []
    variants = [{word: options[0] for word, options in choices}]
    for word, options in choices:
        for option in options[1:]:
            variants.append({**variants[0], word: option})
    return [_apply(text, variant) for variant in variants[:limit]]


def _apply(text: str, replacements: dict[QueryWord, tuple[str, int]]) -> Suggestion:
    """The query text with some words replaced (right to left, so offsets stay valid)."""
    corrections = []
    for word in sorted(replacements, key=lambda w: w.start, reverse=True):
        spelling, frequency = replacements[word]
        text = text[: word.start] + spelling + text[word.end :]
        corrections.append(Correction(word.text, spelling, frequency))
    return Suggestion(text, tuple(reversed(corrections)))
