"""Right-to-left display for terminals that need it: shaped, reordered, marks kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searcher.display import MARK_CLOSE, MARK_OPEN, bidi_mark, has_rtl, visual_line, visual_text
from searcher.models import Hit, Snippet
from searcher.output import plain_mark, render_table


def test_arabic_is_joined_and_reversed_for_a_left_to_right_terminal():
    line = visual_line("الباغوز")
    # Presentation forms (joined letters), last letter first.
    assert line == "\ufeaf\ufeee\ufecf\ufe8e\ufe92\ufedf\ufe8d"
    assert all("\ufe70" <= char <= "\ufeff" for char in line)


def test_numbers_and_latin_keep_their_order_inside_arabic():
    line = visual_line("قالت وكالة Reuters إن ١٢٣ حالة في 2020")
    assert "Reuters" in line and "2020" in line and "١٢٣" in line
    assert line.index("2020") < line.index("Reuters")  # the sentence runs right to left


def test_brackets_are_mirrored_and_marks_survive_reordering():
    text = visual_text(f"في بلدة {bidi_mark('البَاغُوزِ')} (دير الزور)", plain_mark)
    assert MARK_OPEN not in text and MARK_CLOSE not in text
    assert text.startswith("(")  # "(دير الزور)" comes first on screen, the right way round
    assert "[\ufeaf\ufeee\ufecf\ufe8e\ufe92\ufedf\ufe8d]" in text  # the marked word, harakat dropped


@given(st.text(alphabet=st.characters(codec="ascii", categories=("L", "N", "Zs", "P"))))
def test_text_without_right_to_left_letters_is_untouched(text):
    text = text.replace("\n", " ")
    assert not has_rtl(text)
    assert visual_line(text) == text


def test_table_cells_are_wrapped_then_reordered_and_right_aligned():
    hit = Hit(
        rank=1, id="a1", score=1.0, title="خروج المدنيين من الباغوز", date="2019-02-20", source="تلفزيون سوريا",
        snippet=Snippet("خرج مئات المدنيين مِن بلدة البَاغُوزِ شرق دير الزور", ((27, 37),)),
    )
    table = render_table([hit], bidi_mark, 80, lambda line: visual_text(line, plain_mark))
    assert "الباغوز" not in table  # logical order is gone
    assert visual_line("تلفزيون سوريا") in table
    assert "[" + visual_line("البَاغُوزِ") + "]" in table
    plain = render_table([hit], plain_mark, 80)
    assert len(table.splitlines()[0]) == len(plain.splitlines()[0])  # the same frame
