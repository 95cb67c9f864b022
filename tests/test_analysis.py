"""The Whoosh analyzers agree with searcher.terms, keep words whole and survive pickling."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

from searcher.analysis import exact_analyzer, search_analyzer
from searcher.schema import build_schema
from searcher.terms import analyse, pattern_form, search_form

VOCALISED = "قَالَ رَسُولُ اللَّهِ صَلَّى اللَّهُ عَلَيْهِ وَسَلَّمَ: إِنَّمَا الأَعْمَالُ بِالنِّيَّاتِ"


def whoosh_tokens(analyzer, text):
    return [(t.pos, t.startchar, t.endchar, t.text) for t in analyzer(text, positions=True, chars=True)]


def test_vocalised_words_stay_whole():
    tokens = whoosh_tokens(exact_analyzer(), VOCALISED)
    assert [VOCALISED[s:e] for _, s, e, _ in tokens] == VOCALISED.replace(":", "").split()
    assert [t for *_, t in tokens][:3] == ["قال", "رسول", "الله"]


def test_offsets_point_into_the_original():
    text = 'عناصر أجانب لـ"داعش" في البَاغُوزِ'
    tokens = whoosh_tokens(search_analyzer(), text)
    assert [text[s:e] for _, s, e, _ in tokens] == ["عناصر", "أجانب", "لـ", "داعش", "في", "البَاغُوزِ"]
    assert tokens[-1][3] == search_form("الباغوز")


@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs", "Cf")), max_size=200))
def test_whoosh_analyzers_equal_the_plain_pipeline(text):
    plain = list(analyse(text))
    assert whoosh_tokens(search_analyzer(), text) == [(t.position, t.start, t.end, t.search) for t in plain]
    assert whoosh_tokens(exact_analyzer(), text) == [(t.position, t.start, t.end, t.exact) for t in plain]


def test_prefix_patterns_lose_the_article_but_are_not_stemmed():
    (token,) = search_analyzer()("والبَاغو*", tokenize=False, mode="query")
    assert token.text == pattern_form("والباغو*") == "باغو*"
    # A stemmer would cut the final ه of the fragment as an ending.
    (token,) = search_analyzer()("الحكومه*", tokenize=False, mode="query")
    assert token.text == "حكومه*"


def test_schema_survives_pickling():
    schema = build_schema()
    restored = pickle.loads(pickle.dumps(schema))
    assert restored.names() == schema.names()
    for name in schema.names():
        assert restored[name].analyzer == schema[name].analyzer, name
    assert whoosh_tokens(restored["body"].analyzer, VOCALISED) == whoosh_tokens(schema["body"].analyzer, VOCALISED)
