"""Arabic for terminals that cannot lay it out: shaping and right-to-left reordering.

Some terminals (GNOME Terminal/VTE 0.76+, Konsole, mlterm, iTerm2 with its
option on) reorder right-to-left text and join Arabic letters themselves; most
others (xterm, the Linux console, tmux panes, Windows Terminal, many IDE
consoles) print the characters in memory order, left to right and unjoined, so
Arabic reads backwards in isolated letters. For those, ``--bidi`` turns each
line into its *visual* form: letters replaced by their joined presentation
forms (arabic-reshaper) and runs reordered by the Unicode bidirectional
algorithm (python-bidi), so that a left-to-right terminal shows it right.
A terminal that reorders by itself must not get this, or it reverses the text
a second time. Only text for people goes through here, never JSON, TSV or ids.

Both libraries are imported on first use. python-bidi's pure-Python algorithm
is used because it mirrors brackets in right-to-left runs (its faster Rust
``get_display`` does not), which keeps ``(دير)`` and the match markers the
right way round.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

#: Markers around matched words while a line is reordered: a mirrored pair
#: (U+27E6/U+27E7), so the opening one still comes first on screen.
MARK_OPEN, MARK_CLOSE = "\u27e6", "\u27e7"
_MARKED = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def has_rtl(text: str) -> bool:
    """True when ``text`` has Hebrew or Arabic letters (anything to reorder).

    >>> has_rtl("Reuters 2019"), has_rtl("وكالة Reuters")
    (False, True)
    """
    return _RTL.search(text) is not None


@lru_cache(maxsize=1)
def _libraries():
    import arabic_reshaper
    from bidi.algorithm import get_display

    reshaper = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": True, "support_ligatures": True})
    return reshaper.reshape, get_display


def visual_line(line: str) -> str:
    """One line of text in the order a left-to-right terminal must print it, letters joined.

    A line without right-to-left letters is returned as it is.

    >>> visual_line("ABC 2019")
    'ABC 2019'
    >>> visual_line("في ⟦الباغوز⟧ (دير)")
    '(ﺮﻳﺩ) ⟦ﺯﻮﻏﺎﺒﻟﺍ⟧ ﻲﻓ'
    """
    if not has_rtl(line):
        return line
    reshape, get_display = _libraries()
    return get_display(reshape(line))


def visual_text(text: str, mark: Callable[[str], str] | None = None) -> str:
    """Every line of ``text`` in visual order; words marked with MARK_OPEN/CLOSE go through ``mark``.

    >>> visual_text("a ⟦b⟧\\nc", lambda w: f"[{w}]")
    'a [b]\\nc'
    """
    lines = [visual_line(line) for line in text.split("\n")]
    joined = "\n".join(lines)
    return finish_marks(joined, mark) if mark is not None else joined


def bidi_mark(word: str) -> str:
    """Wrap a matched word in the markers that survive reordering."""
    return f"{MARK_OPEN}{word}{MARK_CLOSE}"


def finish_marks(text: str, mark: Callable[[str], str]) -> str:
    """Replace the reordering-proof markers by the final marking (colour or brackets).

    >>> finish_marks("x ⟦ab⟧ y", str.upper)
    'x AB y'
    """
    return _MARKED.sub(lambda m: mark(m.group(1)), text)
