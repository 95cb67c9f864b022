"""Spotting re-published articles: exact copies after normalisation, and near-duplicates.

Pure logic, no engine and no storage: what an article's keys and sketch are,
when two sketches are similar enough, how similar articles form groups, and how
a ranked list folds each group into its best hit. ``searcher.dupstore`` keeps
the sketches beside the index; nothing here imports Whoosh.

* **Exact copies**: two bodies whose normalised words are the same, whatever
  their diacritics, hamza seats, tatweel or punctuation (``exact_key``).
* **Near-duplicates**: the same wire or press release, edited. Each body is cut
  into overlapping runs of ``SHINGLE_WORDS`` normalised words ("shingles"), and
  two bodies are near-duplicates when the Jaccard similarity of their shingle
  sets is at least ``SIMILARITY_THRESHOLD``. The similarity is estimated from
  MinHash sketches (datasketch, imported on first use: it costs ~0.6 s), and
  candidate pairs are found with locality-sensitive hashing: ``BANDS`` bands of
  ``ROWS`` sketch values, so an article is compared only with the articles that
  share a band.

The threshold was chosen on 148 labelled pairs from ant-news and saudinewsnet
(``benchmarks/duplicates.py``, ``benchmarks/duplicate_pairs.tsv``): at 0.7,
97% of the pairs it groups (84 of 87) are one story re-published. Lower
thresholds find more re-publications (0.6: 82% of the labelled same-story
pairs instead of 67%) at 94% precision, grouping more formulaic texts about
different events (congratulation telegrams to different presidents, casualty
notices); and groups chain, since grouping is transitive. Bodies shorter than ``MIN_WORDS`` words are never
grouped: one-line flashes and empty bodies would otherwise all look alike.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from .normalise import normalise
from .tokenize import WORD_PATTERN

#: Words per shingle: 3 keeps a one-word edit from hiding a whole sentence.
SHINGLE_WORDS = 3
#: MinHash permutations: the similarity estimate's standard error is about
#: sqrt(J(1-J)/128), 0.04 at the threshold.
NUM_PERM = 128
#: Estimated shingle Jaccard similarity from which two bodies are one story.
SIMILARITY_THRESHOLD = 0.7
#: LSH bands x rows: datasketch's MinHashLSH choice for the threshold and
#: NUM_PERM (a test keeps them in step).
BANDS, ROWS = 14, 9
#: Shorter bodies (in words) are never grouped.
MIN_WORDS = 25
#: Seed of the MinHash permutations: sketches are stored, so it never changes.
SEED = 1
#: Bump when keys or sketches would change (shingling, hashing, parameters):
#: stored sketches of another version are recomputed.
SKETCH_VERSION = 1

_WORD_RE = re.compile(WORD_PATTERN)
_SIGNATURE_TYPE = "I"  # unsigned 32-bit: datasketch's "affine32" scheme
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class BodySketch:
    """What grouping needs of a body: its exact-copy key and its MinHash signature.

    Both are None for a body shorter than ``MIN_WORDS`` words (never grouped).
    """

    exact: bytes | None
    signature: bytes | None


def body_words(text: str) -> list[str]:
    """The normalised (exact) forms of the words of ``text``, in order.

    >>> body_words("عاد المزارعون إلى «الباغـوز»، وقالوا: البَاغُوزِ")
    ['عاد', 'المزارعون', 'الي', 'الباغوز', 'وقالوا', 'الباغوز']
    """
    return [_exact(word) for word in _WORD_RE.findall(text)]


def shingles(words: Sequence[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    """The distinct runs of ``size`` consecutive words, UTF-8 encoded (for measuring true similarity).

    >>> sorted(s.decode() for s in shingles(["أ", "ب", "ج", "د"], 3))
    ['أ ب ج', 'ب ج د']
    """
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@lru_cache(maxsize=1 << 18)
def _exact(surface: str) -> str:
    return normalise(surface)


def _token_hash(token: str) -> int:
    """The hash of a space-separated token's normalised words; 0 for punctuation alone.

    Splitting on spaces and caching per token is several times faster than
    running the word pattern over the whole text; the token's own words still
    come from that pattern, so ``الزور،`` and ``«الزور»`` hash like ``الزور``.
    crc32 is in C and stable across runs (str hashes are salted per process).
    """
    words = _WORD_RE.findall(token)
    if not words:
        return 0
    return zlib.crc32(" ".join(map(_exact, words)).encode("utf-8")) or 1


class _TokenHashes(dict):
    """token -> _token_hash(token), filled on demand: a hit is a C-level dict lookup
    (an lru_cache call costs several times more, per token of every article)."""

    #: Tokens kept (~150 bytes each). When full, the cache starts afresh: the
    #: frequent tokens are back within a few articles, and a large archive's
    #: rare ones do not stay misses for ever.
    LIMIT = 300_000

    def __missing__(self, token: str) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[token] = _token_hash(token)
        return value


_TOKEN_HASHES = _TokenHashes()


@lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


#: Odd multipliers that mix three word hashes into one shingle hash.
_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)


def sketch_body(text: str) -> BodySketch:
    """The exact-copy key and MinHash signature of a body.

    Each space-separated token is hashed once, by its normalised words
    (cached: news reuses its words), and the 3-grams of tokens are mixed from
    those hashes with numpy; building the 3-gram strings was most of the cost.
    The exact key is a digest of the token hashes in order, so it ignores
    everything normalisation ignores (diacritics, hamza seats, tatweel,
    punctuation, spacing).

    >>> sketch_body("خبر قصير").signature is None
    True
    >>> a = sketch_body("عاد المزارعون إلى الباغوز بعد انتهاء المعارك " * 4)
    >>> b = sketch_body("عادَ المزارعونَ الى «الباغـوز» بعد انتهاء المعارك، " * 4)
    >>> a.exact == b.exact, similarity(a.signature, b.signature)
    (True, 1.0)
    """
    tokens = text.split()
    if len(tokens) < MIN_WORDS:
        return BodySketch(None, None)
    import hashlib

    import numpy as np
    from datasketch import MinHash

    hashes = np.fromiter(map(_TOKEN_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    hashes = hashes[hashes != 0]  # punctuation alone
    if len(hashes) < MIN_WORDS:
        return BodySketch(None, None)
    exact = hashlib.blake2b(hashes.tobytes(), digest_size=16).digest()
    end = len(hashes) - SHINGLE_WORDS + 1
    with np.errstate(over="ignore"):  # wrapping multiplication is the point
        mixed = hashes[:end] * np.uint64(_MIX[0]) + hashes[1 : end + 1] * np.uint64(_MIX[1]) + hashes[2 : end + 2]
    shingle_hashes = np.unique((mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF))
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, permutations=_permutations(), scheme="affine32")
    sketch.update_batch(shingle_hashes.tolist())
    return BodySketch(exact, sketch.hashvalues.astype("<u4").tobytes())


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two signatures: the share of equal values.

    >>> a = array("I", range(NUM_PERM)).tobytes()
    >>> b = array("I", [0] * 32 + list(range(32, NUM_PERM))).tobytes()
    >>> similarity(a, a), similarity(a, b)
    (1.0, 0.7578125)
    """
    values_a, values_b = array(_SIGNATURE_TYPE, a), array(_SIGNATURE_TYPE, b)
    if len(values_a) != len(values_b) or not values_a:
        raise ValueError("signatures of different lengths")
    return sum(x == y for x, y in zip(values_a, values_b)) / len(values_a)


def is_near_duplicate(score: float) -> bool:
    """True when an estimated similarity makes two bodies one story.

    >>> is_near_duplicate(0.7), is_near_duplicate(0.69)
    (True, False)
    """
    return score >= SIMILARITY_THRESHOLD


def band_keys(signature: bytes) -> list[int]:
    """One signed 64-bit key per LSH band: articles sharing a key are candidates.

    >>> keys = band_keys(array("I", range(NUM_PERM)).tobytes())
    >>> len(keys) == BANDS and all(-2**63 <= k < 2**63 for k in keys)
    True
    """
    import hashlib

    width = ROWS * array(_SIGNATURE_TYPE).itemsize
    keys = []
    for band in range(BANDS):
        chunk = signature[band * width : (band + 1) * width]
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def connected_groups(nodes: Iterable[T], edges: Iterable[tuple[T, T]]) -> list[list[T]]:
    """The connected components of a graph, largest first, each in node order.

    >>> connected_groups("abcde", [("a", "c"), ("d", "e"), ("c", "a")])
    [['a', 'c'], ['d', 'e'], ['b']]
    """
    order = {node: i for i, node in enumerate(nodes)}
    parent = {node: node for node in order}

    def find(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            # The earlier node stays the root, so results do not depend on edge order.
            if order[root_a] < order[root_b]:
                parent[root_b] = root_a
            else:
                parent[root_a] = root_b
    groups: dict[T, list[T]] = {}
    for node in order:
        groups.setdefault(find(node), []).append(node)
    return sorted(groups.values(), key=lambda g: (-len(g), order[g[0]]))


def collapse(ranked: Sequence[T], group_of: Callable[[T], Hashable | None]) -> list[tuple[T, list[T]]]:
    """Fold each group into its first (best-ranked) item; the rest ride along with it.

    ``group_of`` gives an item's group, or None for an item in no group.

    >>> groups = {"b": 1, "d": 1, "e": 2}
    >>> collapse("abcde", groups.get)
    [('a', []), ('b', ['d']), ('c', []), ('e', [])]
    """
    kept: list[tuple[T, list[T]]] = []
    first_of: dict[Hashable, list[T]] = {}
    for item in ranked:
        group = group_of(item)
        if group is None:
            kept.append((item, []))
        elif group in first_of:
            first_of[group].append(item)
        else:
            folded: list[T] = []
            first_of[group] = folded
            kept.append((item, folded))
    return kept
