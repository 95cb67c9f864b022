"""How a text field's postings record word positions: two bytes a position.

Whoosh's ``Positions`` format stores each posting's positions as a 4-byte
count followed by a pickled list of deltas: 13 bytes for a word that occurs
once, most postings of a news archive. :class:`CompactPositions` stores the
positions themselves as unsigned 16-bit integers (32-bit, after a marker
byte, when a document is longer than 65,535 words): 2 bytes for that word,
decoded by ``array`` in C. The count is the value's length.

The class is pickled into every index's schema: it must stay importable at
this path, with this name.
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict

from whoosh import formats

#: Marks a value of 32-bit positions (such values have odd lengths; 16-bit ones even).
WIDE = b"\x00"
_SWAP = sys.byteorder != "little"  # values are little-endian on every machine

__all__ = ["CompactPositions", "decode_positions", "encode_positions"]


def encode_positions(positions: list[int]) -> bytes:
    """The value of a posting whose word is at ``positions`` (ascending).

    >>> encode_positions([3, 300])
    b'\\x03\\x00,\\x01'
    >>> decode_positions(encode_positions([7, 70_000]))
    [7, 70000]
    """
    wide = positions[-1] > 0xFFFF
    values = array("I" if wide else "H", positions)
    if _SWAP:
        values.byteswap()
    return WIDE + values.tobytes() if wide else values.tobytes()


def decode_positions(value: bytes) -> list[int]:
    """The positions of a posting value written by :func:`encode_positions`."""
    if len(value) & 1:
        values = array("I")
        values.frombytes(value[1:])
    else:
        values = array("H")
        values.frombytes(value)
    if _SWAP:
        values.byteswap()
    return values.tolist()


def position_count(value: bytes) -> int:
    """How many positions a value holds, without decoding it."""
    return (len(value) - 1) // 4 if len(value) & 1 else len(value) // 2


class CompactPositions(formats.Positions):
    """Whoosh's ``Positions`` (frequency, weight, positions), two bytes a position.

    Supports: frequency, weight, positions, position_boosts (always 1.0).
    """

    def word_values(self, value, analyzer, **kwargs):
        field_boost = self.field_boost
        positions = defaultdict(list)
        weights: dict[str, float] = defaultdict(float)
        kwargs["positions"] = True
        kwargs["boosts"] = True
        for token in formats.tokens(value, analyzer, kwargs):
            positions[token.text].append(token.pos)
            weights[token.text] += token.boost
        for word, found in positions.items():
            yield word, len(found), weights[word] * field_boost, encode_positions(found)

    def encode(self, poslist):
        return encode_positions(list(poslist))

    def decode_positions(self, valuestring):
        return decode_positions(valuestring)

    def decode_frequency(self, valuestring):
        return position_count(valuestring)

    def decode_weight(self, valuestring):
        return position_count(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(position, 1) for position in decode_positions(valuestring)]

    def combine(self, vs):
        merged = set()
        for value in vs:
            merged.update(decode_positions(value))
        return encode_positions(sorted(merged))


def compact_positions(field):
    """``field`` (a Whoosh TEXT field) with its positions stored as :class:`CompactPositions`."""
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field
