"""The query tree: what a search asks for, with no search engine in it.

``searcher.qparse`` builds it from the query language, the query plan rewrites
it, and each engine compiles it (``searcher.qwhoosh`` for Whoosh). Every leaf
holds analysed forms (``searcher.terms``), never the text as typed, so an
engine only has to look them up.

Fields: ``None`` means the ordinary text fields (title and body, each with its
weight); ``title`` and ``body`` hold search forms; ``source``, ``category``,
``place`` and ``id`` hold exact forms (``FieldWord``); ``date`` holds ISO
prefixes (``DateIs``, ``DateRange``).

``str(tree)`` is the readable form ``search query --explain`` prints:

>>> print(And((Word("باغوز"), Phrase(("دير", "زور")), Not(Word("مسءول")))))
باغوز "دير زور" -مسءول
>>> print(Or((Exact(("الرياض",)), FieldWord("skynews", "source"), DateRange("2019-01", "2019-03"))))
(=الرياض OR source:skynews OR date:2019-01..2019-03)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "TEXT_FIELDS",
    "And",
    "AndMaybe",
    "AndNot",
    "DateIs",
    "DateRange",
    "Every",
    "Exact",
    "FieldWord",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Range",
    "Require",
    "Split",
    "Wildcard",
    "Word",
    "walk",
    "transform",
]

#: The fields an unfielded word is looked up in (the query weighs each: see ``Ranking``).
TEXT_FIELDS = ("title", "body")


def _num(value: float) -> str:
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return text


def _weighted(text: str, boost: float) -> str:
    return text if boost == 1.0 else f"{text}^{_num(boost)}"


def _fielded(text: str, field: str | None) -> str:
    return text if field is None else f"{field}:{text}"


def _bracketed(node: "Node") -> str:
    """A child in an operator's text: compounds in brackets, so the reading is unambiguous."""
    text = str(node)
    if isinstance(node, (And, Or)) and not text.startswith("("):
        return f"({text})"
    if isinstance(node, (AndNot, AndMaybe, Require)):
        return f"({text})"
    return text


class Node:
    """Base class of every node. Nodes are frozen dataclasses: compare, hash, reuse."""

    boost: float = 1.0

    def children(self) -> tuple["Node", ...]:
        return ()

    def with_children(self, children: tuple["Node", ...]) -> "Node":
        return self

    def with_boost(self, boost: float) -> "Node":
        return dataclasses.replace(self, boost=boost)

    @property
    def is_leaf(self) -> bool:
        return not self.children()


# --- leaves ---------------------------------------------------------------


@dataclass(frozen=True)
class Word(Node):
    """One search form (normalised, light-stemmed) in ``field``; None: title and body."""

    text: str
    field: str | None = None
    boost: float = 1.0

    def __str__(self) -> str:
        return _weighted(_fielded(self.text, self.field), self.boost)


@dataclass(frozen=True)
class Split(Node):
    """One typed word the analysis cut into several forms (``COVID-19`` -> ``covid 19``).

    Looked up in one text field at a time: all the forms (``every``) or any of them.
    """

    words: tuple[str, ...]
    field: str | None = None
    boost: float = 1.0
    every: bool = True

    def __str__(self) -> str:
        joint = "+" if self.every else "|"
        return _weighted(_fielded("{" + joint.join(self.words) + "}", self.field), self.boost)


@dataclass(frozen=True)
class FieldWord(Node):
    """One exact form in a metadata field: ``source``, ``category``, ``place`` or ``id``."""

    text: str
    field: str
    boost: float = 1.0

    def __str__(self) -> str:
        return _weighted(f"{self.field}:{self.text}", self.boost)


@dataclass(frozen=True)
class Exact(Node):
    """Exact forms (normalised, not stemmed), one word or several in a row (``=word``)."""

    forms: tuple[str, ...]
    boost: float = 1.0
    slop: int = 1

    def __str__(self) -> str:
        text = self.forms[0] if len(self.forms) == 1 else '"' + " ".join(self.forms) + '"'
        if self.slop != 1:
            text += f"~{self.slop}"
        return _weighted("=" + text, self.boost)


@dataclass(frozen=True)
class Phrase(Node):
    """Forms one after another (``"دير الزور"``); ``slop`` 1: next to each other."""

    words: tuple[str, ...]
    field: str | None = None
    boost: float = 1.0
    slop: int = 1

    def __str__(self) -> str:
        text = '"' + " ".join(self.words) + '"'
        if self.slop != 1:
            text += f"~{self.slop}"
        return _weighted(_fielded(text, self.field), self.boost)


@dataclass(frozen=True)
class Prefix(Node):
    """Every form that starts with ``text`` (a pattern form: see ``terms.pattern_form``)."""

    text: str
    field: str | None = None
    boost: float = 1.0

    def __str__(self) -> str:
        return _weighted(_fielded(self.text + "*", self.field), self.boost)


@dataclass(frozen=True)
class Wildcard(Node):
    """Every form matching a glob pattern: ``*`` any letters, ``?`` one letter."""

    pattern: str
    field: str | None = None
    boost: float = 1.0

    def __str__(self) -> str:
        return _weighted(_fielded(self.pattern, self.field), self.boost)


@dataclass(frozen=True)
class Range(Node):
    """Forms between two bounds in alphabetical order (None: open); rarely useful outside dates."""

    start: str | None
    end: str | None
    field: str | None = None
    start_excl: bool = False
    end_excl: bool = False
    boost: float = 1.0

    def __str__(self) -> str:
        text = "{}{} TO {}{}".format(
            "{" if self.start_excl else "[", self.start or "", self.end or "", "}" if self.end_excl else "]"
        )
        return _weighted(_fielded(text, self.field), self.boost)


@dataclass(frozen=True)
class DateIs(Node):
    """Articles of one period: ``2019``, ``2019-02`` or ``2019-02-20`` (an ISO prefix)."""

    value: str
    boost: float = 1.0

    def __str__(self) -> str:
        return _weighted(f"date:{self.value}", self.boost)


@dataclass(frozen=True)
class DateRange(Node):
    """Articles between two periods (ISO prefixes, None: open); bounds are whole periods.

    An inclusive end takes all of its period (``..2019-02`` ends on 28 February).
    """

    start: str | None
    end: str | None
    start_excl: bool = False
    end_excl: bool = False
    boost: float = 1.0

    def __str__(self) -> str:
        if self.start is not None and self.end is not None and not (self.start_excl or self.end_excl):
            text = f"date:{self.start}..{self.end}"
        else:
            parts = []
            if self.start is not None:
                parts.append((">" if self.start_excl else ">=") + self.start)
            if self.end is not None:
                parts.append(("<" if self.end_excl else "<=") + self.end)
            text = "date:" + (" ".join(parts) if parts else "any")
        return _weighted(text, self.boost)


@dataclass(frozen=True)
class Every(Node):
    """Every article (``*:*``), or every article with a value in ``field``."""

    field: str | None = None
    boost: float = 1.0

    def __str__(self) -> str:
        return _weighted("*:*" if self.field is None else f"{self.field}:*", self.boost)


# --- operators ------------------------------------------------------------


@dataclass(frozen=True)
class And(Node):
    """Articles that match every child; scores add up."""

    items: tuple[Node, ...]
    boost: float = 1.0

    def children(self) -> tuple[Node, ...]:
        return self.items

    def with_children(self, children):
        return dataclasses.replace(self, items=tuple(children))

    def __str__(self) -> str:
        text = " ".join(_bracketed(c) for c in self.items)
        return f"({text})^{_num(self.boost)}" if self.boost != 1.0 else text


@dataclass(frozen=True)
class Or(Node):
    """Articles that match any child; scores of the children that match add up."""

    items: tuple[Node, ...]
    boost: float = 1.0

    def children(self) -> tuple[Node, ...]:
        return self.items

    def with_children(self, children):
        return dataclasses.replace(self, items=tuple(children))

    def __str__(self) -> str:
        text = "(" + " OR ".join(_bracketed(c) for c in self.items) + ")"
        return _weighted(text, self.boost)


@dataclass(frozen=True)
class Not(Node):
    """Articles that do not match ``item`` (inside an And: leaves them out)."""

    item: Node
    boost: float = 1.0

    def children(self) -> tuple[Node, ...]:
        return (self.item,)

    def with_children(self, children):
        (item,) = children
        return dataclasses.replace(self, item=item)

    def __str__(self) -> str:
        return "-" + _bracketed(self.item)


@dataclass(frozen=True)
class _Binary(Node):
    a: Node
    b: Node

    JOINT = ""

    def children(self) -> tuple[Node, ...]:
        return (self.a, self.b)

    def with_children(self, children):
        a, b = children
        return dataclasses.replace(self, a=a, b=b)

    def __str__(self) -> str:
        return f"{_bracketed(self.a)} {self.JOINT} {_bracketed(self.b)}"


@dataclass(frozen=True)
class AndNot(_Binary):
    """Articles that match ``a`` and not ``b``; scored by ``a``."""

    JOINT = "ANDNOT"

    def with_boost(self, boost: float) -> Node:
        return AndNot(self.a.with_boost(boost), self.b)


@dataclass(frozen=True)
class AndMaybe(_Binary):
    """Articles that match ``a``; those that also match ``b`` score more ("all words, then some")."""

    JOINT = "ANDMAYBE"

    def with_boost(self, boost: float) -> Node:
        return AndMaybe(self.a.with_boost(boost), self.b.with_boost(boost))


@dataclass(frozen=True)
class Require(_Binary):
    """Articles that match both; scored by ``a`` only."""

    JOINT = "REQUIRE"

    def with_boost(self, boost: float) -> Node:
        return Require(self.a.with_boost(boost), self.b)


# --- helpers --------------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, parents before their children.

    >>> [type(n).__name__ for n in walk(And((Word("a"), Not(Word("b")))))]
    ['And', 'Word', 'Not', 'Word']
    """
    yield node
    for child in node.children():
        yield from walk(child)


def transform(node: Node, fn: Callable[[Node], Node]) -> Node:
    """Rebuild a tree bottom-up: ``fn`` gets each node with its children already rebuilt.

    >>> print(transform(And((Word("a"), Word("b"))), lambda n: n.with_boost(2) if isinstance(n, Word) else n))
    a^2 b^2
    """
    children = node.children()
    if children:
        node = node.with_children(tuple(transform(child, fn) for child in children))
    return fn(node)
