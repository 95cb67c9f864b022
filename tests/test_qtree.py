"""The project's own query tree: the new parser gives the queries (and hits) of the Whoosh one.

Every query of the README and of tests/test_query.py, and random queries, go
through both paths: ``query.parse_query`` (Whoosh's parser) and
``qwhoosh.to_whoosh(qparse.parse(...))``. They must build equal Whoosh
queries, or, where the structure differs, find the same articles with the
same scores. Run ``python -m tests.test_qtree [N]`` for agreement figures.
"""

from __future__ import annotations

import ast
import math
import re
import shlex
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher import qtree as t
from searcher.errors import QuerySyntaxError
from searcher.qparse import MAX_DEPTH, parse
from searcher.qwhoosh import to_whoosh
from searcher.query import Archive, parse_query

from .conftest import REPO

README = REPO / "README.md"

#: Options of ``search query`` / ``search timeline`` that take a value.
_VALUED = {"--since", "--until", "--source", "--limit", "-n", "--offset", "--sort", "--format", "--index-dir",
           "--facet", "--by", "--plot", "--topics", "--qid"}


def _command_queries(line: str) -> list[tuple[str, bool]]:
    """(query, match_all) of one ``search query|timeline ...`` command line."""
    line = line.strip().removeprefix("$ ")
    try:
        args = shlex.split(line, comments=True)
    except ValueError:
        return []
    for i in range(len(args) - 1):
        if args[i] == "search" and args[i + 1] in ("query", "timeline"):
            args = args[i + 2 :]
            break
    else:
        return []
    words, match_all, literal, skip = [], True, False, False
    for arg in args:
        if skip:
            skip = False
        elif literal or not arg.startswith("-"):
            if arg in ("|", "&&", ">"):
                break
            words.append(arg)
        elif arg == "--":
            literal = True
        elif arg in _VALUED:
            skip = True
        elif arg == "--any":
            match_all = False
    return [(" ".join(words), match_all)] if words else []


def readme_queries() -> list[tuple[str, bool]]:
    """Every query the README shows: command lines in code blocks and text, and the syntax table."""
    text = README.read_text(encoding="utf-8")
    found: list[tuple[str, bool]] = []
    for line in text.splitlines():
        if "search query" in line or "search timeline" in line:
            for code in re.findall(r"`([^`]*search (?:query|timeline)[^`]*)`", line) or [line]:
                found.extend(_command_queries(code))
    searching = text.split("## Searching", 1)[1].split("\n## ", 1)[0]
    for row in searching.splitlines():
        if row.startswith("| `"):
            found.extend((code, m) for code in re.findall(r"`([^`]+)`", row) for m in (True, False))
    return list(dict.fromkeys(q for q in found if q[0].strip()))


def test_query_examples() -> list[str]:
    """The query texts tests/test_query.py searches for (string arguments of its calls and parameters)."""
    tree = ast.parse((REPO / "tests" / "test_query.py").read_text(encoding="utf-8"))
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None)
            args = {"ids": node.args[1:2], "SearchRequest": node.args[:1], "parse_query": node.args[:1]}.get(name, [])
            texts += [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if getattr(node.func, "attr", None) == "parametrize" and len(node.args) > 1:
                for item in getattr(node.args[1], "elts", []):
                    first = item.elts[0] if isinstance(item, ast.Tuple) else item
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        texts.append(first.value)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_WORDS":
            texts += [e.value for e in node.value.elts]
    return list(dict.fromkeys(texts))


test_query_examples.__test__ = False  # a helper, not a test


# --- comparing the two paths ----------------------------------------------


def _old(text: str, match_all: bool):
    try:
        return parse_query(text, match_all=match_all)
    except QuerySyntaxError:
        return QuerySyntaxError
    except Exception as error:  # noqa: BLE001 - the old path has crashes the new one fixes
        return error


def _new(text: str, match_all: bool):
    # The limits of searcher.limits apply to the text and to the compiled query on both paths.
    from searcher.limits import bound_query, check_text

    try:
        check_text(text)
        return bound_query(to_whoosh(parse(text, match_all=match_all)))
    except QuerySyntaxError:
        return QuerySyntaxError


def _limited(text: str, match_all: bool) -> bool:
    try:
        parse(text, match_all=match_all)
    except QuerySyntaxError as error:
        return "weight" in str(error) or "nests brackets" in str(error)
    return False


def _hits(archive: Archive, q) -> list[tuple[str, float]]:
    """Every article a Whoosh query finds (exact forms checked), with its score."""
    ranked = archive._ranked(q, None, None)
    return sorted((archive._article_id(docnum), score) for score, docnum in ranked)


def _same_hits(archives, old, new) -> bool:
    for archive in archives:
        a, b = _hits(archive, old), _hits(archive, new)
        if [i for i, _ in a] != [i for i, _ in b]:
            return False
        if not all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for (_, x), (_, y) in zip(a, b)):
            return False
    return True


def compare(text: str, match_all: bool, archives) -> str:
    """How the two paths agree on one query: a short class name (see ``AGREE``)."""
    old, new = _old(text, match_all), _new(text, match_all)
    if old is QuerySyntaxError and new is QuerySyntaxError:
        return "both errors"
    if isinstance(old, Exception):
        return f"old path crashes ({type(old).__name__})"
    if new is QuerySyntaxError and _limited(text, match_all):
        return "new limit (weight, depth)"
    if old is QuerySyntaxError or new is QuerySyntaxError:
        return "one path errs"
    if old == new:
        return "equal"
    return "same hits and scores" if _same_hits(archives, old, new) else "different hits"


AGREE = {"equal", "both errors", "same hits and scores", "new limit (weight, depth)"}


def agrees(kind: str) -> bool:
    """Agreement, or a crash of the old path (a traceback today) that the new path answers."""
    return kind in AGREE or kind.startswith("old path crashes")


@pytest.mark.parametrize(("text", "match_all"), readme_queries())
def test_every_readme_query_gives_the_same_query_or_hits(archive, text, match_all):
    assert agrees(compare(text, match_all, [archive]))


def test_readme_queries_are_found():
    texts = {q for q, _ in readme_queries()}
    assert {"الباغوز", '"دير الزور"', "=الرياض", "قسد OR داعش NOT تركيا", "الحوثيين -اليمن"} <= texts
    assert {"date:[2019-01 TO 2019-03]", 'source:"Jawhara FM"', "الباغو*"} <= texts
    assert ("من هم الذين خرجوا من الباغوز", False) in readme_queries()


@pytest.mark.parametrize("text", test_query_examples())
@pytest.mark.parametrize("match_all", [True, False])
def test_every_query_of_the_query_tests_gives_the_same_query(archive, text, match_all):
    assert agrees(compare(text, match_all, [archive]))


_WORDS = [
    "الباغوز", "البَاغُوزِ", "والباغوز", "الباغـوز", 'لـ"داعش"', "مسئول", "مسؤول", "في", "من", "دير", "الزور",
    "النفط", "الرياض", "الرياضة", "مئات", "COVID-19", "Reuters", "١٢٣", "ـ", "َ", "،", "؟", "x-y",
]
_SYNTAX = [
    "OR", "AND", "NOT", "-", "ANDNOT", "ANDMAYBE", "REQUIRE", '"', "(", ")", "[", "]", "{", "}", "TO", "'", ":",
    "title:", "body:", "source:", "category:", "place:", "date:", "exact:", "=", "foo:", "id:", "*:*",
    "2019", "2019-02", "٢٠١٩-٠٢", "15/03/2017", "2019-13", "[2019-01 TO 2019-03]", "{2018 TO 2019}", ">=", "<",
    ">", "<=", "*", "?", "باغو*", "ال*", "^2", "^0.5", "^", "~2", "skynews", '"jawhara fm"',
]
_queries = st.lists(
    st.tuples(st.sampled_from(_WORDS + _SYNTAX), st.sampled_from([" ", "", " ", "  "])), min_size=1, max_size=7
).map(lambda parts: "".join(token + gap for token, gap in parts))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_queries, match_all=st.booleans())
def test_random_queries_give_the_same_query_or_hits(archive, text, match_all):
    assert agrees(compare(text, match_all, [archive])), text


@pytest.mark.slow
def test_random_queries_on_real_news(tmp_path_factory):
    """The same on 2,000 ant-news articles, where more words have hits."""
    from .conftest import require_corpora
    from searcher.indexer import Indexer
    from searcher.ingest import read_corpus

    corpora = require_corpora("ant-news")
    index_dir = tmp_path_factory.mktemp("qtree") / "ix"
    with Indexer(index_dir) as indexer:
        articles = read_corpus([corpora / "ant-news" / "articles.jsonl.gz"])
        indexer.add_all(a for a, _ in zip(articles, range(2000)))
    with Archive(index_dir) as news:
        for text, match_all in readme_queries():
            assert agrees(compare(text, match_all, [news])), text

        @settings(max_examples=150, deadline=None)
        @given(text=_queries, match_all=st.booleans())
        def check(text, match_all):
            assert agrees(compare(text, match_all, [news])), text

        check()


# --- the tree itself --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "match_all", "shown"),
    [
        ("الباغوز دير الزور", True, "باغوز دير زور"),
        ("الباغوز دير الزور", False, "(باغوز OR دير OR زور)"),
        ('"دير الزور" -مسئول', True, '"دير زور" -مسءول'),
        ("قسد OR داعش NOT تركيا", True, "(قسد OR داعش) -تركي"),
        ('=الرياض ="دير الزور"', True, '=الرياض ="دير الزور"'),
        ("title:الباغوز^2 source:skynews", True, "title:باغوز^2 source:skynews"),
        ("date:2019 date:[2019-01 TO 2019-03] date:>=2019-02-01 date:<2019", True,
         "date:2019 date:2019-01..2019-03 date:>=2019-02-01 date:<2019"),
        ("باغو* باغو?", True, "باغو* باغو?"),
        ("COVID-19", True, "{covid+19}"),
        ("(النفط OR الرياضة) مئات", True, "(نفط OR رياضه) مءات"),
        ("الباغوز ANDMAYBE مئات", True, "باغوز ANDMAYBE مءات"),
    ],
)
def test_trees_read_as_queries(text, match_all, shown):
    assert str(parse(text, match_all=match_all)) == shown


def test_tree_nodes_hold_analysed_forms():
    tree = parse('والبَاغُوزِ =الرِّياض source:"Jawhara FM" date:٢٠١٩-٠٢')
    assert tree == t.And(
        (t.Word("باغوز"), t.Exact(("الرياض",)), t.Phrase(("jawhara", "fm"), "source"), t.DateIs("2019-02"))
    )
    # A word the analysis cuts in two stays one clause: both forms in the same field.
    assert parse('لـ"داعش"', match_all=False) == t.Or((t.Word("ل"), t.Phrase(("داعش",))))


def test_walk_and_transform():
    tree = parse("الباغوز -مسئول")
    assert [type(n).__name__ for n in t.walk(tree)] == ["And", "Word", "Not", "Word"]
    heavier = t.transform(tree, lambda n: n.with_boost(2.0) if isinstance(n, t.Word) else n)
    assert str(heavier) == "باغوز^2 -مسءول^2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("، ؟ َ", "no words"),
        ("date:2019-13", "invalid date"),
        ("date:[2019-03 TO 2019-02]", "starts after it ends"),
        ("=باغو*", "whole words"),
        ("الباغوز^1000", "weight"),
        ("(" * (MAX_DEPTH + 1) + "الباغوز", "nests brackets"),
    ],
)
def test_errors(text, message):
    with pytest.raises(QuerySyntaxError, match=message):
        parse(text)


def test_brackets_up_to_the_limit_parse():
    assert parse("(" * MAX_DEPTH + "الباغوز" + ")" * MAX_DEPTH) == t.Word("باغوز")


def test_unknown_and_stored_only_fields_are_words():
    assert parse("foo:bar") == t.Split(("foo", "bar"))
    # The old parser crashes on a stored-only field (url:, time:); the new one searches the words.
    assert parse("url:الباغوز", match_all=False) == t.Split(("url", "باغوز"), every=False)


def agreement(n: int = 2000, seed: int = 0) -> Counter:
    """Classes of agreement over ``n`` random queries and all README and test queries, on the test index."""
    import random
    import tempfile

    from .conftest import make_index

    rng = random.Random(seed)
    tokens = _WORDS + _SYNTAX
    queries = [(q, m) for q, m in readme_queries()]
    queries += [(q, m) for q in test_query_examples() for m in (True, False)]
    for _ in range(n):
        parts = [rng.choice(tokens) + rng.choice([" ", "", " "]) for _ in range(rng.randint(1, 7))]
        queries.append(("".join(parts), rng.random() < 0.5))
    counts: Counter = Counter()
    examples: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp, Archive(make_index(Path(tmp) / "ix")) as archive:
        for text, match_all in queries:
            kind = compare(text, match_all, [archive])
            counts[kind] += 1
            examples.setdefault(kind, f"{text!r} match_all={match_all}")
    for kind, count in counts.most_common():
        print(f"{count:6d}  {kind:28s} e.g. {examples[kind]}")
    return counts


if __name__ == "__main__":
    import sys

    agreement(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
