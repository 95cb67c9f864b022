"""Passages: the best window, marked on the original spelling, whitespace folded."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from searcher.snippets import ELLIPSIS, _fold_whitespace, make_snippet
from searcher.terms import search_form
from searcher.tokenize import WORD_PATTERN

SEED_PARAGRAPH = (
    "نشرت شبكة إخبارية محلية، أمس الثلاثاء، مقطع فيديو يُظهر ما قالت إنها لحظة تسليم عناصر مِن تنظيم "
    '"الدولة" (بينهم أجانب) أنفسهم لـ"قوات سوريا الديمقراطية" (قسد)، في منطقة الباغوز شرق دير الزور.'
)


def marked(snippet):
    return [snippet.text[a:b] for a, b in snippet.spans]


def test_marks_every_spelling_of_the_word():
    text = "وصل إلى البَاغُوزِ ثم غادر الباغـوز عائداً إلى والباغوز"
    snippet = make_snippet(text, {search_form("الباغوز")})
    assert marked(snippet) == ["البَاغُوزِ", "الباغـوز", "والباغوز"]


def test_exact_terms_mark_only_the_form_asked_for():
    text = "افتتح في الرياض مهرجان الرياضة"
    assert marked(make_snippet(text, set(), {"الرياض"})) == ["الرياض"]


def test_long_text_is_cut_around_the_match_with_ellipses():
    text = " ".join(["كلام"] * 200) + " الباغوز " + " ".join(["كلام"] * 200)
    snippet = make_snippet(text, {search_form("الباغوز")}, width=100)
    assert snippet.text.startswith(ELLIPSIS) and snippet.text.endswith(ELLIPSIS)
    assert len(snippet.text) <= 110
    assert marked(snippet) == ["الباغوز"]


def test_second_passage_only_for_words_the_first_lacks():
    filler = " ".join(["كلام"] * 100)
    text = f"قسد {filler} الباغوز {filler} قسد"
    snippet = make_snippet(text, {search_form("قسد"), search_form("الباغوز")}, width=60)
    assert sorted(marked(snippet)) == ["الباغوز", "قسد"]
    assert snippet.text.count(ELLIPSIS) >= 2


def test_no_match_gives_the_opening():
    snippet = make_snippet(SEED_PARAGRAPH, {"غيرموجود"}, width=40)
    assert snippet.spans == ()
    assert SEED_PARAGRAPH.startswith(snippet.text.removesuffix(" " + ELLIPSIS))


def test_whitespace_and_newlines_fold_to_single_spaces():
    snippet = make_snippet("الخبر الأول\n\n   وفي  الباغوز\tاليوم", {search_form("الباغوز")})
    assert snippet.text == "الخبر الأول وفي الباغوز اليوم"
    assert marked(snippet) == ["الباغوز"]


def test_real_paragraph():
    snippet = make_snippet(SEED_PARAGRAPH, {search_form("اجانب"), search_form("الباغوز")})
    assert marked(snippet) == ["أجانب", "الباغوز"]


@given(st.text(alphabet="ابتثجحخ دذرزسش\n\u064e\u0640،.", max_size=400), st.sampled_from(["باب", "سر", "حج"]))
def test_spans_always_slice_matched_words(text, word):
    snippet = make_snippet(text, {search_form(word)}, width=80)
    for start, end in snippet.spans:
        assert 0 <= start < end <= len(snippet.text)
        assert search_form(snippet.text[start:end]) == search_form(word)


def _fold_by_character(piece: str):
    """The definition of whitespace folding, one character at a time: (folded, offset map)."""
    out, mapping, pos = [], [], 0
    runs = [m.span() for m in re.finditer(r"\s+", piece)]
    inside = {k: (a, b) for a, b in runs for k in range(a, b)}
    for k, char in enumerate(piece):
        mapping.append(pos)
        if k in inside:
            a, b = inside[k]
            if k == a and a > 0 and b < len(piece):
                out.append(" ")
                pos += 1
        else:
            out.append(char)
            pos += 1
    mapping.append(pos)
    return "".join(out), mapping


@given(st.text(alphabet="اب ت\n\t\u00a0\u2003ج", max_size=60))
def test_whitespace_folding_maps_word_edges_like_the_definition(piece):
    folded, offset = _fold_whitespace(piece, 0, len(piece))
    expected, mapping = _fold_by_character(piece)
    assert folded == expected
    edges = {m.start() for m in re.finditer(r"\S+", piece)} | {m.end() for m in re.finditer(r"\S+", piece)}
    for edge in edges | {len(piece)}:
        assert offset(edge) == mapping[edge]


@given(
    st.lists(st.sampled_from(["الباغوز", "والبَاغُوزِ", "باغوز", "دير", "الزور", "قال", "مسؤول", "\n\n", "،"]), max_size=120),
    st.sets(st.sampled_from(["الباغوز", "الزور", "مسئول", "غيرموجود"]), min_size=1),
)
def test_every_asked_for_word_in_the_passage_is_marked(words, query):
    text = " ".join(words)
    terms = {search_form(word) for word in query}
    snippet = make_snippet(text, terms, width=80)
    marked = {(a, b) for a, b in snippet.spans}
    # Words of the passage (text between ellipses) whose form was asked for.
    for match in re.finditer(WORD_PATTERN, snippet.text):
        if search_form(match.group()) in terms:
            assert match.span() in marked, (snippet.text, match.group())
    for a, b in marked:
        assert search_form(snippet.text[a:b]) in terms
