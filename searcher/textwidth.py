"""Text measured in terminal cells: display width, wrapping and cutting to a width.

A string's length is not its width on screen: Arabic harakat and other
combining marks take no cell, East Asian wide characters take two, and colour
escapes (ANSI SGR sequences) take none. Everything here measures with
``wcwidth`` (as tabulate does with its ``widechars`` extra), so that what is cut
or wrapped to ``width`` never takes more than ``width`` cells.

Words are never broken unless one alone is wider than the line; then it is cut
between characters (never between a letter and its marks, never inside an
escape sequence).
"""

from __future__ import annotations

import re

from wcwidth import wcswidth, wcwidth

#: ANSI escape sequences (colour and other CSI, OSC hyperlinks): zero cells.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
ELLIPSIS = "…"
#: One unit that is never split: an escape sequence, or one character.
_ATOM = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|.", re.S)


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes (one line): escapes and combining marks count 0, wide characters 2.

    >>> display_width("عاصِفَةٌ"), display_width("漢字"), display_width("\\x1b[31mab\\x1b[0m")
    (5, 4, 2)
    """
    plain = strip_ansi(text)
    width = wcswidth(plain)
    if width >= 0:
        return width
    # A control character somewhere: count it as nothing, like the rest of the line.
    return sum(max(0, wcwidth(char)) for char in plain)


def _atoms(word: str) -> list[str]:
    """``word`` cut into pieces that must stay together: a character with its combining marks, an escape."""
    atoms: list[str] = []
    for match in _ATOM.finditer(word):
        atom = match.group()
        if atoms and not atom.startswith("\x1b") and display_width(atom) == 0 and not atoms[-1].startswith("\x1b"):
            atoms[-1] += atom  # a mark stays with its letter
        else:
            atoms.append(atom)
    return atoms


def _break_word(word: str, width: int) -> list[str]:
    """A word wider than ``width`` as pieces of at most ``width`` cells (one character if narrower cannot be)."""
    pieces, current, current_width = [], "", 0
    for atom in _atoms(word):
        atom_width = display_width(atom)
        if current_width + atom_width > width and current_width:
            pieces.append(current)
            current, current_width = "", 0
        current += atom
        current_width += atom_width
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` cells, broken at spaces (runs of whitespace become one space).

    >>> wrap("عاصفة الحزم في اليمن", 11)
    ['عاصفة الحزم', 'في اليمن']
    >>> wrap("abcdefghij", 4)
    ['abcd', 'efgh', 'ij']
    """
    width = max(1, width)
    lines: list[str] = []
    current, current_width = "", 0
    for word in text.split():
        word_width = display_width(word)
        if current and current_width + 1 + word_width <= width:
            current += " " + word
            current_width += 1 + word_width
            continue
        if current:
            lines.append(current)
        if word_width <= width:
            current, current_width = word, word_width
        else:
            *whole, current = _break_word(word, width)
            lines += whole
            current_width = display_width(current)
    if current:
        lines.append(current)
    return lines


def fit(text: str, width: int, max_lines: int = 1) -> list[str]:
    """``text`` wrapped to ``width`` in at most ``max_lines`` lines, the last cut with an ellipsis if it goes on.

    The cut falls after a whole word when the line keeps at least half its
    room that way, else inside the word, so the line is used to the full.

    >>> fit("رجال الأعمال وجنود عاصفة الحزم", 14)
    ['رجال الأعمال…']
    >>> fit("abc defghijklmnopqrstuvwxyz", 10)
    ['abc defgh…']
    >>> fit("قصير", 20, 2)
    ['قصير']
    """
    width = max(1, width)
    lines = wrap(text, width)
    if len(lines) <= max_lines:
        return lines
    kept = lines[: max_lines - 1]
    return kept + [_cut(_after(text, kept), width)]


def _after(text: str, lines: list[str]) -> str:
    """What of ``text`` follows ``lines`` (its first wrapped lines; a word may have been broken across them)."""
    consumed = sum(len(line.replace(" ", "")) for line in lines)
    words = text.split()
    for i, word in enumerate(words):
        if consumed < len(word):
            return " ".join([word[consumed:]] + words[i + 1 :])
        consumed -= len(word)
    return ""


def _cut(text: str, width: int) -> str:
    """The start of ``text`` (wider than ``width``) and an ellipsis, at most ``width`` cells."""
    room = width - display_width(ELLIPSIS)
    words_part, used = "", 0
    for word in text.split(" "):
        word_width = display_width(word)
        gap = 1 if words_part else 0
        if used + gap + word_width > room:
            break
        words_part += (" " if words_part else "") + word
        used += gap + word_width
    if words_part and used * 2 >= room:
        return words_part + ELLIPSIS
    # Few whole words fit: fill the line and cut inside the next word.
    out, used = "", 0
    for atom in _atoms(text):
        atom_width = display_width(atom)
        if used + atom_width > room:
            break
        out += atom
        used += atom_width
    return out.rstrip() + ELLIPSIS


def pad(text: str, width: int, align: str = "left") -> str:
    """``text`` padded with spaces to ``width`` cells (left or right aligned)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == "right" else text + fill
