"""The query language (README, "Searching") -> a query tree (``searcher.qtree``).

No search engine is involved: words are analysed with ``searcher.terms`` and
``searcher.tokenize``, dates read with ``searcher.userdates``.

The language is the one the CLI has always accepted, quirks included, so that
switching parsers changes no result: parsing runs in two steps, like the Whoosh
parser it replaces. First the text is cut into tokens (words, ``field:``,
``"phrases"``, ``[ranges]``, brackets, operators, ``^weights``, ``*`` and ``?``);
then passes group brackets, glue wildcards to their words, attach fields,
weights and operators. A token a pass cannot use becomes a plain word (a
``field:`` nobody knows, a ``^`` with nothing before it, a lone bracket).

>>> print(parse('الباغوز "دير الزور" -مسئول'))
باغوز "دير زور" -مسءول
>>> print(parse("قسد OR داعش NOT تركيا"))
(قسد OR داعش) -تركي
>>> print(parse("=الرياض date:2019-02 source:skynews"))
=الرياض date:2019-02 source:skynews
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field

from . import qtree as t
from .errors import QuerySyntaxError
from .terms import exact_form, pattern_form, search_form
from .tokenize import iter_words
from .userdates import check_order, normalise_user_date

__all__ = ["FIELDS", "MAX_BOOST", "MAX_DEPTH", "parse"]

#: The fields a query may name (``field:word``); any other name is a word.
FIELDS = frozenset({"title", "body", "source", "category", "place", "date", "exact", "id"})
_SEARCH_FIELDS = frozenset({None, "title", "body"})
_EXACT_FIELDS = frozenset({"source", "category", "place", "exact"})
#: Brackets may nest this deep.
MAX_DEPTH = 32
#: The largest ``^weight``.
MAX_BOOST = 100.0


# --- step 1: tokens -------------------------------------------------------


class _Syn:
    """A token or group of the syntax tree (before analysis)."""

    has_field = False
    has_text = False
    has_boost = False
    is_ws = False
    is_text = False

    def set_field(self, name):
        if self.has_field and self.field is None:
            self.field = name


class _Ws(_Syn):
    is_ws = True


@dataclass(eq=False)
class _FieldName(_Syn):
    name: str
    original: str
    has_field = True

    @property
    def field(self):
        return self.name

    def set_field(self, name):
        pass


@dataclass(eq=False)
class _Text(_Syn):
    """Text to search: ``kind`` is word, wild, prefix or phrase."""

    kind: str
    text: str
    slop: int = 1
    field: str | None = None
    boost: float = 1.0
    has_field = True
    has_text = True
    has_boost = True
    is_text = True


@dataclass(eq=False)
class _Range(_Syn):
    start: str | None
    end: str | None
    start_excl: bool
    end_excl: bool
    field: str | None = None
    boost: float = 1.0
    has_field = True
    has_boost = True


@dataclass(eq=False)
class _Boost(_Syn):
    original: str
    value: float


@dataclass(eq=False)
class _Marker(_Syn):
    """A bracket, an operator (``op`` = not, and, or, andnot, andmaybe, require), ``<``, ``*:*``."""

    what: str
    original: str = ""


@dataclass(eq=False)
class _Group(_Syn):
    """``kind``: and, or (merging groups), not, andnot, andmaybe, require."""

    kind: str
    nodes: list = dc_field(default_factory=list)
    boost: float = 1.0
    #: An unfielded word's group over the text fields (title, body).
    multi: bool = False

    @property
    def has_boost(self):
        return self.kind in ("and", "or", "not")

    @property
    def merging(self):
        return self.kind in ("and", "or")

    def set_field(self, name):
        for node in self.nodes:
            node.set_field(name)

    def empty_copy(self):
        return _Group(self.kind, [], self.boost, self.multi)


def _word(original: str) -> _Text:
    return _Text("word", original)


_RANGE = re.compile(
    r"""
    (?P<open>\{|\[)
    (?P<start>('[^']*?'\s+)|([^\]}]+?(?=\b[Tt][Oo]\b)))?
    \b[Tt][Oo]\b
    (?P<end>(\s+'[^']*?')|([^\]}]+?))?
    (?P<close>}|])
    """,
    re.VERBOSE,
)


def _range(m: re.Match) -> _Syn:
    start, end = m.group("start"), m.group("end")
    if start:
        start = start.rstrip()
        if start.startswith("'") and start.endswith("'"):
            start = start[1:-1]
    if end:
        end = end.lstrip()
        if end.startswith("'") and end.endswith("'"):
            end = end[1:-1]
    return _Range(start, end, m.group("open") == "{", m.group("close") == "}")


def _boost(m: re.Match) -> _Syn:
    try:
        return _Boost(m.group(0), float(m.group("boost")))
    except ValueError:
        return _word(m.group(0))


#: (pattern, token maker), tried in this order at each position.
_TAGGERS = [
    (r"(?<=\s)ANDNOT(?=\s)", lambda m: _Marker("andnot", m.group(0))),
    (r"(?<=\s)ANDMAYBE(?=\s)", lambda m: _Marker("andmaybe", m.group(0))),
    (r"[*]:[*]", lambda m: _Marker("every")),
    (r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)", lambda m: _word(m.group("text"))),
    (r"(?P<text>\w+|[*]):", lambda m: _FieldName(m.group("text"), m.group(0))),
    (
        r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?',
        lambda m: _Text("phrase", m.group("text"), int(m.group("slop") or 1)),
    ),
    (r"[(]", lambda m: _Marker("open")),
    (r"[)]", lambda m: _Marker("close")),
    (r"\^(?P<boost>[0-9]*(\.[0-9]+)?)($|(?=[ \t\r\n)]))", _boost),
    # NOT also as a leading minus (-word); "COVID-19" keeps its hyphen.
    (r"(^|(?<=(\s|[()])))(NOT(?=\s)|-(?=[^\s-]))", lambda m: _Marker("not", m.group(0))),
    (r"(?<=\s)AND(?=\s)", lambda m: _Marker("and", m.group(0))),
    (r"(?<=\s)OR(?=\s)", lambda m: _Marker("or", m.group(0))),
    (r"(^|(?<=\s))REQUIRE(?=\s)", lambda m: _Marker("require", m.group(0))),
    # * and ? only: the Arabic question mark ؟ is punctuation.
    (r"(?P<text>[*?])", lambda m: _Text("wild", m.group("text"))),
    # =word and ="a phrase": the exact forms.
    (r"(?<![^\s(])=(?=[^\s=()])", lambda m: _FieldName("exact", m.group(0))),
    (r"(?P<rel>(<=|>=|<|>|=<|=>))", lambda m: _Marker("gtlt", m.group("rel"))),
    (_RANGE, _range),
    (r"\s+", lambda m: _Ws()),
]
_TAGGERS = [(re.compile(p) if isinstance(p, str) else p, make) for p, make in _TAGGERS]


def _tokens(text: str) -> list[_Syn]:
    out: list[_Syn] = []
    prev = pos = 0
    while pos < len(text):
        for pattern, make in _TAGGERS:
            m = pattern.match(text, pos)
            if m:
                if prev < pos:
                    out.append(_word(text[prev:pos]))
                out.append(make(m))
                prev = pos = m.end()
                break
        else:
            pos += 1
    if prev < len(text):
        out.append(_word(text[prev:]))
    return out


# --- step 2: passes ---------------------------------------------------------


def _to_word(node) -> _Text:
    return _word(node.original)


def _groups(tokens: list[_Syn], kind: str) -> _Group:
    stack = [_Group(kind)]
    for node in tokens:
        if isinstance(node, _Marker) and node.what == "open":
            stack.append(_Group(kind))
            if len(stack) > MAX_DEPTH + 1:
                raise QuerySyntaxError(f"the query nests brackets more than {MAX_DEPTH} deep")
        elif isinstance(node, _Marker) and node.what == "close":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].nodes.append(last)
        else:
            stack[-1].nodes.append(node)
    top = stack[0]
    for level in stack[1:]:  # unclosed brackets: their words join the top level
        top.nodes.extend(level.nodes)
    if len(top.nodes) == 1 and isinstance(top.nodes[0], _Group):
        top.nodes[0].boost = top.boost
        top = top.nodes[0]
    return top


def _clean_boosts(group: _Group) -> None:
    """A ^weight with nothing weighable before it is a word (top level only)."""
    for i, node in enumerate(group.nodes):
        if isinstance(node, _Boost) and (not i or not group.nodes[i - 1].has_boost):
            group.nodes[i] = _to_word(node)


def _wildcards(group: _Group) -> None:
    """Glue ``*`` and ``?`` to the text around them; a single trailing ``*`` is a prefix."""
    nodes = group.nodes
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, _Text) and node.kind == "wild":
            if i < len(nodes) - 1 and nodes[i + 1].is_text:
                node.text += nodes.pop(i + 1).text
            if i > 0 and nodes[i - 1].is_text:
                node.text = nodes.pop(i - 1).text + node.text
            else:
                i += 1
        else:
            if isinstance(node, _Group):
                _wildcards(node)
            i += 1
    for node in nodes:
        if isinstance(node, _Text) and node.kind == "wild":
            text = node.text
            if len(text) > 1 and "[" not in text and "?" not in text and text.find("*") == len(text) - 1:
                node.kind, node.text = "prefix", text[:-1]


def _gtlt(group: _Group) -> _Group:
    """``field:>x``, ``field:<=x`` ...: ranges."""
    out = group.empty_copy()
    nodes = group.nodes
    i = 0
    while i < len(nodes):
        node = nodes[i]
        if isinstance(node, _Marker) and node.what == "gtlt":
            if i < len(nodes) - 1:
                if not out.nodes:
                    raise QuerySyntaxError("a comparison (< > <= >=) needs a field before it, e.g. date:>=2019")
                nxt = nodes[i + 1]
                if isinstance(out.nodes[-1], _FieldName) and nxt.has_text:
                    out.nodes.append(_comparison(nxt.text, node.original))
                    i += 1
        elif isinstance(node, _Group):
            out.nodes.append(_gtlt(node))
        else:
            out.nodes.append(node)
        i += 1
    return out


def _comparison(text: str, rel: str) -> _Range:
    if rel == "<":
        return _Range(None, text, False, True)
    if rel == ">":
        return _Range(text, None, True, False)
    if rel in ("<=", "=<"):
        return _Range(None, text, False, False)
    return _Range(text, None, False, False)


def _fieldnames(group: _Group) -> _Group:
    """Give ``field:`` to the token after it; unknown names and stray ``field:`` are words."""
    out = group.empty_copy()
    pending: list[_FieldName] = []

    def merged() -> _Text:
        word = _to_word(pending[0])
        word.text = "".join(fn.original for fn in pending)
        return word

    for node in group.nodes:
        if isinstance(node, _FieldName) and node.name not in FIELDS:
            pending.append(node)
            continue
        if pending:
            original = "".join(fn.original for fn in pending)
            if node.has_text:
                node.text = original + node.text
            else:
                out.nodes.append(merged())
            pending = []
        out.nodes.append(node)
    if pending:
        out.nodes.append(merged())

    nodes = out.nodes
    result = []
    i = len(nodes)
    while i > 0:
        i -= 1
        node = nodes[i]
        if isinstance(node, _FieldName):
            node = _to_word(node)
        elif isinstance(node, _Group):
            node = _fieldnames(node)
        if i > 0 and not node.is_ws and isinstance(nodes[i - 1], _FieldName):
            node.set_field(nodes[i - 1].name)
            i -= 1
        result.append(node)
    result.reverse()
    out.nodes = result
    return out


def _multifield(group: _Group) -> None:
    """An unfielded word or phrase searches the text fields: a group of its own."""
    for i, node in enumerate(group.nodes):
        if isinstance(node, _Group):
            _multifield(node)
        elif node.has_field and node.field is None:
            group.nodes[i] = _Group("or", [node], multi=True)


def _remove_ws(group: _Group) -> _Group:
    out = group.empty_copy()
    for node in group.nodes:
        if isinstance(node, _Group):
            out.nodes.append(_remove_ws(node))
        elif not node.is_ws:
            out.nodes.append(node)
    return out


def _apply_boosts(group: _Group) -> _Group:
    out = group.empty_copy()
    for node in group.nodes:
        if isinstance(node, _Group):
            node = _apply_boosts(node)
        elif isinstance(node, _Boost):
            if out.nodes and out.nodes[-1].has_boost:
                if not 0 <= node.value <= MAX_BOOST:
                    raise QuerySyntaxError(f"the weight {node.original} is out of range: use 0 to {MAX_BOOST:g}")
                out.nodes[-1].boost = node.value
                continue
            node = _to_word(node)
        out.nodes.append(node)
    return out


_OPERATOR_ORDER = ("not", "and", "or", "andnot", "andmaybe", "require")


def _operators(group: _Group) -> _Group:
    nodes = group.nodes
    for op in _OPERATOR_ORDER:
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if not (isinstance(node, _Marker) and node.what == op):
                i += 1
                continue
            if op == "not":  # prefix: wraps the next token
                length = len(nodes)
                del nodes[i]
                if i < length - 1:
                    nodes[i] = _Group("not", [nodes[i]])
                continue
            if 0 < i < len(nodes) - 1:
                left, right = nodes[i - 1], nodes[i + 1]
                if op in ("and", "or") and isinstance(left, _Group) and left.kind == op:
                    left.nodes.append(right)
                    del nodes[i : i + 2]
                else:
                    nodes[i - 1 : i + 2] = [_Group(op, [left, right])]
            else:
                del nodes[i]
    for i, node in enumerate(nodes):
        if isinstance(node, _Group):
            nodes[i] = _operators(node)
    return group


# --- step 3: analysis -------------------------------------------------------

#: Stands for a clause that matches nothing (an empty phrase, an empty group)
#: until ``_normalise`` drops it.
_NULL = t.Or(())


@dataclass(frozen=True)
class _DateTerm(t.Node):
    raw: str
    boost: float = 1.0


@dataclass(frozen=True)
class _DateSpan(t.Node):
    start: str | None
    end: str | None
    start_excl: bool
    end_excl: bool
    boost: float = 1.0


def _forms(field: str | None, text: str, tokenize: bool) -> list[str]:
    """What the index holds for ``text`` in ``field`` (several forms when it is several words)."""
    if field in ("date", "id"):
        return [text]
    if field in _SEARCH_FIELDS:
        if not tokenize:
            form = pattern_form(text)
            return [form] if form else []
        return [f for f in (search_form(w) for _, _, w in iter_words(text)) if f]
    if not tokenize:
        form = exact_form(text)
        return [form] if form else []
    return [f for f in (exact_form(w) for _, _, w in iter_words(text)) if f]


def _term(field: str | None, form: str, boost: float) -> t.Node:
    if field in _SEARCH_FIELDS:
        return t.Word(form, field, boost)
    if field == "exact":
        return t.Exact((form,), boost)
    if field == "date":
        return _DateTerm(form, boost)
    return t.FieldWord(form, field, boost)


def _leaf(node, field: str | None, boost: float, match_all: bool):
    """The tree of one text or range token in ``field`` (None: the text fields); None if nothing is left."""
    if isinstance(node, _Range):
        start, end = node.start, node.end
        if start:
            start = (_forms(field, start, False) or [None])[0]
        if end:
            end = (_forms(field, end, False) or [None])[0]
        if start in ("", None) and end in ("\uffff", None):
            return t.Wildcard("*", field, boost)  # the whole field
        if start == end:
            return _NULL if node.start_excl or node.end_excl else _term(field, start, boost)
        if field == "date":
            return _DateSpan(start, end, node.start_excl, node.end_excl, boost)
        return t.Range(start, end, field, node.start_excl, node.end_excl, boost)
    if node.kind == "phrase":
        words = tuple(_forms(field, node.text, True))
        if not words:
            return _NULL
        if len(words) == 1 and field is not None:
            return _term(field, words[0], 1.0)  # a one-word phrase is a word (and keeps no weight)
        if field == "exact":
            return t.Exact(words, boost, node.slop)
        return t.Phrase(words, field, boost, node.slop)
    forms = _forms(field, node.text, node.kind == "word")
    if not forms:
        return None
    if len(forms) > 1:
        if field is None:
            return t.Split(tuple(forms), None, boost, match_all)
        joint = t.And if match_all else t.Or
        return joint(tuple(_term(field, f, boost) for f in forms))
    (form,) = forms
    if node.kind == "word":
        return _term(field, form, boost)
    if node.kind == "prefix":
        return t.Prefix(form, field, boost)
    if form == "*":
        return t.Wildcard(form, field, boost)  # every article with something in the field
    if "*" not in form and "?" not in form:
        return _term(field, form, boost)
    if "?" not in form and "[" not in form and form.find("*") == len(form) - 1:
        return t.Prefix(form[:-1], field, boost)
    return t.Wildcard(form, field, boost)


def _analyse(node, match_all: bool):
    """The query tree of a syntax node; None when it asks for nothing."""
    if isinstance(node, _Group):
        if node.multi:
            (word, *rest) = node.nodes
            first = _leaf(word, None, 1.0, match_all)
            if not rest:  # a word with no forms is an empty Or, not nothing (it empties AND NOT, REQUIRE)
                return _NULL if first is None or first is _NULL else first.with_boost(first.boost * node.boost)
            children = tuple(c for c in [first, *(_analyse(n, match_all) for n in rest)] if c is not None)
            return t.Or(children, node.boost)
        if node.kind in ("and", "or"):
            children = tuple(c for c in (_analyse(n, match_all) for n in node.nodes) if c is not None)
            return (t.And if node.kind == "and" else t.Or)(children, node.boost)
        if node.kind == "not":
            if not node.nodes:
                return None
            child = _analyse(node.nodes[0], match_all)
            if child is None or (isinstance(child, (t.And, t.Or)) and not child.items):
                return None
            return t.Not(child)
        if len(node.nodes) != 2:  # "a ANDNOT ANDMAYBE b": an operator lost its right side
            return _analyse(_Group("and" if match_all else "or", node.nodes), match_all)
        a, b = (_analyse(n, match_all) for n in node.nodes)
        if a is None and b is None:
            return _NULL
        if a is None or b is None:
            return a if b is None else b
        return {"andnot": t.AndNot, "andmaybe": t.AndMaybe, "require": t.Require}[node.kind](a, b)
    if isinstance(node, _Marker) and node.what == "every":
        return t.Every()
    if isinstance(node, (_Text, _Range)):
        return _leaf(node, node.field, node.boost, match_all)
    return None


def _is_null(node) -> bool:
    return node is _NULL or (isinstance(node, (t.And, t.Or)) and not node.items)


def _in_fields(node, fields: set) -> bool:
    """True when every part of ``node`` searches one of ``fields`` (None: title and body)."""
    field = getattr(node, "field", "-")
    if None in fields and field in _SEARCH_FIELDS:
        return True
    return field in fields


def _normalise(node):
    """Flatten nested And/Or, drop empty clauses and repeats, unwrap single children."""
    if isinstance(node, (t.And, t.Or)):
        cls = type(node)
        items = []
        for child in node.items:
            child = _normalise(child)
            if type(child) is cls:
                items.extend(c.with_boost(c.boost * child.boost) for c in child.items)
            else:
                items.append(child)
        if any(isinstance(c, t.Every) and c.field is None for c in items):
            return t.Every()
        every = {c.field for c in items if isinstance(c, t.Wildcard) and c.pattern == "*"}
        if every and cls is t.Or:  # field:* OR field:x is field:*
            items = [c for c in items if isinstance(c, t.Wildcard) and c.pattern == "*" or not _in_fields(c, every)]
        seen, unique = set(), []
        for c in items:
            if not _is_null(c) and c not in seen:
                seen.add(c)
                unique.append(c)
        if not unique:
            return _NULL
        if len(unique) == 1:
            (only,) = unique
            if node.boost != 1.0 or only.boost != 1.0:
                only = only.with_boost(only.boost * node.boost)
            return only
        return cls(tuple(unique), node.boost)
    if isinstance(node, t.Not):
        child = _normalise(node.item)
        return _NULL if _is_null(child) else t.Not(child, node.boost)
    if isinstance(node, (t.AndNot, t.AndMaybe, t.Require)):
        a, b = _normalise(node.a), _normalise(node.b)
        if isinstance(node, t.Require):
            return _NULL if _is_null(a) or _is_null(b) else t.Require(a, b)
        if _is_null(a):
            return _NULL
        return a if _is_null(b) else type(node)(a, b)
    return node


def _dates(node: t.Node) -> t.Node:
    """Typed dates -> ISO periods (``date:2019`` is the year; ranges take whole periods)."""
    if isinstance(node, _DateTerm):
        return t.DateIs(normalise_user_date(node.raw), node.boost)
    if isinstance(node, _DateSpan):
        start, end = (None if v is None else normalise_user_date(v) for v in (node.start, node.end))
        check_order(start, end, "date:[{} TO {}] starts after it ends")
        return t.DateRange(start, end, node.start_excl, node.end_excl, node.boost)
    return node


def _check_exact(tree: t.Node) -> None:
    for node in t.walk(tree):
        if isinstance(node, (t.Prefix, t.Wildcard, t.Range, t.Every)) and node.field == "exact":
            raise QuerySyntaxError("=word and exact: take whole words or a quoted phrase, not patterns or ranges")


def parse(text: str, *, match_all: bool = True) -> t.Node:
    """The query tree of a query (see the README for the language).

    ``match_all``: words side by side must all match (else any of them).
    Raises QuerySyntaxError for an empty query, one with no searchable words,
    an invalid date, brackets nested too deep or an out-of-range weight.

    >>> parse("COVID-19")
    Split(words=('covid', '19'), field=None, boost=1.0, every=True)
    >>> print(parse("باغو* OR date:[2019-01 TO 2019-03] title:النفط^2", match_all=False))
    (باغو* OR date:2019-01..2019-03 OR title:نفط^2)
    """
    if not text or not text.strip():
        raise QuerySyntaxError("empty query")
    group = _groups(_tokens(text), "and" if match_all else "or")
    _clean_boosts(group)
    _wildcards(group)
    group = _gtlt(group)
    group = _fieldnames(group)
    _multifield(group)
    group = _operators(_apply_boosts(_remove_ws(group)))
    tree = _analyse(group, match_all)
    tree = None if tree is None else _normalise(tree)
    if tree is None or _is_null(tree):
        raise QuerySyntaxError(f"the query {text.strip()!r} has no words to search for")
    tree = t.transform(tree, _dates)
    _check_exact(tree)
    return tree
