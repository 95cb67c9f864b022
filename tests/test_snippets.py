"""Passages: the best window, marked on the original spelling, whitespace folded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searcher.snippets import ELLIPSIS, make_snippet
from searcher.terms import search_form

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
