"""Tables fit the terminal: no line wider than it, ids never broken, titles using the room there is.

Widths are measured in terminal cells with wcwidth (harakat take none, wide
characters two) after removing colour escapes, never with len().
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth

from searcher.cli import cli
from searcher.display import bidi_mark, visual_text
from searcher.models import Article, Hit, Snippet
from searcher.output import (
    plain_mark,
    render_duplicates,
    render_facets,
    render_source_counts,
    render_table,
)
from searcher.textwidth import ELLIPSIS, fit, wrap

from .conftest import article, make_index

WIDTHS = (60, 80, 120, 200)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cells(line: str) -> int:
    width = wcswidth(ANSI.sub("", line))
    assert width >= 0, repr(line)
    return width


def red(word: str) -> str:
    return f"\x1b[31m\x1b[1m{word}\x1b[0m"


def bidi(line: str) -> str:
    return visual_text(line, plain_mark)


LONG_ID = "snn-2015-07-21-01377-aleqtisadiya-opinion"  # 41 characters
TITLE_HARAKAT = "رِجَالُ الأَعْمَالِ وَجُنُودُ «عَاصِفَةِ الحَزْمِ» وَالمَسْؤُولِيَّةُ الوَطَنِيَّةُ فِي زَمَنِ الحَرْبِ عَلَى اليَمَنِ"
TITLE_TATWEEL = "الباغـــوز: عـودة أولـى العائلات النازحة إلى قرى ريف ديـر الزور الشرقي بعد انتهاء المعارك"
TITLE_LATIN = "وكالة Reuters: أسعار النفط Brent ترتفع 2% بعد قرار OPEC+ خفض الإنتاج في اجتماع فيينا"
HITS = [
    Hit(1, LONG_ID, 12.5, TITLE_HARAKAT, "2015-07-21", "aleqtisadiya",
        snippet=Snippet("طالعت باهتمام شديد خبر عَاصِفَةِ الحَزْمِ في الصحف، كما غيري من القراء، وعن قيام رجل الأعمال " * 3, ((23, 33),)),
        similar_ids=("a", "b")),
    Hit(2, "sample-002", 7.25, TITLE_TATWEEL, None, None, snippet=Snippet("عاد عدد من المزارعين في بلدتي هجين والباغوز إلى حقولهم", ((35, 43),))),
    Hit(3, "a-very-long-article-id-with-many-dashes-0042", None, TITLE_LATIN, "2018-11-05", "وكالة أنباء الجزيرة السورية"),
    Hit(10, "x", 0.5, "", "2019-01-01", "skynews"),
]
MODES = {
    "plain": (plain_mark, None),
    "colour": (red, None),
    "bidi": (bidi_mark, bidi),
}


def assert_fits(text: str, width: int, ids=()):
    lines = text.split("\n")
    for line in lines:
        assert cells(line) <= width, f"{cells(line)} > {width}: {line!r}"
    for id_ in ids:
        assert any(id_ in line for line in lines), f"{id_} broken or missing"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
def test_hit_table_fits_and_keeps_ids_whole(width, mode):
    mark, visual = MODES[mode]
    table = render_table(HITS, mark, width, visual)
    assert_fits(table, width, [hit.id for hit in HITS])


@pytest.mark.parametrize("width", (120, 200))
def test_titles_fill_their_column_at_wide_widths(width):
    table = render_table(HITS, plain_mark, width).split("\n")
    spare = width - cells(table[0])
    assert 0 <= spare <= 16  # the passage column takes the room left, less what its longest line leaves over
    column = cells(table[0].split("┬")[-1]) - 3 + spare  # what the column may take, inside its padding
    start = next(i for i, line in enumerate(table) if LONG_ID in line)
    title = fit(TITLE_HARAKAT, column, 2)
    shown = [line.split("│")[-2].strip() for line in table[start : start + len(title)]]
    assert shown == title
    if width == 200:
        assert shown == [TITLE_HARAKAT]  # whole, on one line
    else:
        # Cut after two lines, each filled up to its last whole word (none of them is over 16 cells).
        assert len(shown) == 2 and shown[-1].endswith(ELLIPSIS)
        assert all(cells(line) >= column - 16 for line in shown)


def test_a_whole_title_fits_at_200_columns():
    table = render_table(HITS, plain_mark, 200)
    for title in (TITLE_HARAKAT, TITLE_TATWEEL, TITLE_LATIN):
        assert any(title in line for line in table.split("\n")), title


@pytest.mark.parametrize("width", (60, 80))
def test_narrow_terminals_get_one_block_per_hit(width):
    text = render_table(HITS, plain_mark, width)
    assert "│" not in text
    blocks = text.split("\n\n")
    assert len(blocks) == len(HITS)
    assert blocks[0].startswith(f" 1  {LONG_ID}")  # rank, then the id, whole
    assert blocks[-1].startswith("10  x  2019-01-01  skynews")


def test_an_id_wider_than_the_terminal_stays_whole_on_its_own_line():
    long_id = "k" * 70
    hit = Hit(1, long_id, 1.0, TITLE_HARAKAT, "2015-07-21", "aleqtisadiya")
    lines = render_table([hit], plain_mark, 60).split("\n")
    assert lines[0] == f"1  {long_id}"
    assert all(cells(line) <= 60 for line in lines[1:])


def test_bidi_blocks_right_align_arabic_and_keep_the_frame_width():
    text = render_table(HITS[:2], bidi_mark, 80, bidi)
    assert "الباغوز" not in text  # reordered
    body = [line for line in text.split("\n") if line.startswith("   ") and line.strip()]
    assert body and all(cells(line) == 80 for line in body if not line.strip().isascii())


# Properties over open-ended titles, ids and widths.

ARABIC_WORD = st.text(alphabet=st.sampled_from("ابتثجحخدذرسشصضطظعغفقكلمنهويىةءأإآؤئ"), min_size=1, max_size=12)
MARKS = st.sampled_from(["", "\u064e", "\u0650", "\u064f", "\u0651", "\u0652", "\u064b", "\u0640"])  # harakat, tatweel
LATIN_WORD = st.text(alphabet=st.sampled_from("abcXYZ0123%+:.-"), min_size=1, max_size=10)
WIDE_WORD = st.text(alphabet=st.sampled_from("漢字新闻"), min_size=1, max_size=4)


@st.composite
def words(draw):
    word = draw(st.one_of(ARABIC_WORD, ARABIC_WORD, LATIN_WORD, WIDE_WORD))
    return "".join(char + draw(MARKS) for char in word) if word[0] in "ابتثجحخدذرسشصضطظعغفقكلمنهويىةءأإآؤئ" else word


TITLES = st.lists(words(), max_size=40).map(" ".join)
IDS = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,39}", fullmatch=True)


@st.composite
def hit_lists(draw):
    n = draw(st.integers(1, 5))
    hits = []
    for rank in range(1, n + 1):
        snippet_text = draw(TITLES)
        spans = ((0, len(snippet_text.split(" ")[0])),) if snippet_text else ()
        hits.append(Hit(
            rank=rank * draw(st.sampled_from([1, 1, 37])),
            id=draw(IDS),
            score=draw(st.none() | st.floats(0, 100)),
            title=draw(TITLES),
            date=draw(st.none() | st.just("2015-07-21")),
            source=draw(st.none() | TITLES.filter(lambda s: len(s) < 40)),
            snippet=Snippet(snippet_text, spans) if snippet_text else None,
        ))
    return hits


@settings(max_examples=150, deadline=None)
@given(hits=hit_lists(), width=st.integers(40, 220), mode=st.sampled_from(sorted(MODES)))
def test_any_table_fits_its_width(hits, width, mode):
    mark, visual = MODES[mode]
    text = render_table(hits, mark, width, visual)
    lines = text.split("\n")
    for hit in hits:
        assert any(hit.id in line for line in lines)
    for line in lines:
        if cells(line) > width:  # only an id too long for any layout may stick out, alone after its rank
            assert any(line.split() == [str(hit.rank), hit.id] for hit in hits), line


@given(text=TITLES, width=st.integers(2, 150), max_lines=st.integers(1, 3))
def test_fit_uses_the_room_and_never_exceeds_it(text, width, max_lines):
    lines = fit(text, width, max_lines)
    assert len(lines) <= max_lines
    assert all(cells(line) <= width for line in lines)
    whole = "".join(text.split())  # lines may break a word too wide for one: compare without spaces
    if not lines or not lines[-1].endswith(ELLIPSIS):
        assert "".join(" ".join(lines).split()) == whole  # nothing cut
    else:
        # Cut: what is shown starts the title, and the last line keeps at least half its room.
        assert whole.startswith("".join(" ".join(lines)[: -len(ELLIPSIS)].split()))
        assert cells(lines[-1]) * 2 >= width - 1 or width <= 2


@given(text=TITLES, width=st.integers(2, 150))  # a wide character alone is 2 cells
def test_wrap_keeps_every_word_that_fits(text, width):
    lines = wrap(text, width)
    assert all(cells(line) <= width for line in lines)
    if all(cells(word) <= width for word in text.split()):
        assert " ".join(lines) == " ".join(text.split())  # words never broken


# The other tables.


def test_duplicates_fit_and_keep_ids_whole():
    copies = [
        (Article(id=f"{LONG_ID}-{n}", title=TITLE_LATIN, body="", source="وكالة أنباء الجزيرة السورية"), 0.98, n == 0)
        for n in range(3)
    ]
    this = Article(id=LONG_ID, title=TITLE_HARAKAT, body="", source="aleqtisadiya")
    for width in WIDTHS:
        text = render_duplicates(this, copies, width)
        assert_fits(text, width, [LONG_ID] + [other.id for other, _, _ in copies])
    assert "similarity" in render_duplicates(this, copies, 200)  # a table when there is room
    blocks = render_duplicates(this, copies, 60)
    assert blocks.split("\n")[:2] == [f"this   {LONG_ID}", "       aleqtisadiya"]  # the id never shares its room


def test_facets_and_source_counts_wrap_long_values():
    counts = [("وكالة أنباء الجزيرة السورية - مكتب دير الزور والرقة والحسكة", 1200), (None, 3)]
    for width in (30, 60):
        assert_fits(render_facets("source", counts, width), width)
        assert all(cells(line) <= width for line in render_source_counts(counts[:1], width))


# The command line as a user types it.

CLI_ARTICLES = [
    article(LONG_ID, TITLE_HARAKAT, "خبر عن عَاصِفَةِ الحَزْمِ واليمن " * 20, "2015-07-21", source="aleqtisadiya"),
    article(f"{LONG_ID}-copy", TITLE_HARAKAT, "خبر عن عَاصِفَةِ الحَزْمِ واليمن " * 20, "2015-07-22", source="alriyadh"),
    article("a-very-long-article-id-with-many-dashes-0042", TITLE_TATWEEL, "عاصفة الحزم في دير الزور " * 10, None,
            source="وكالة أنباء الجزيرة السورية - مكتب دير الزور والرقة والحسكة"),
    article("b7", TITLE_LATIN, "قالت Reuters إن عاصفة الحزم مستمرة", "2018-11-05"),
]


@pytest.fixture(scope="module")
def wide_index(tmp_path_factory):
    return make_index(tmp_path_factory.mktemp("tables") / "index", CLI_ARTICLES)


def run(index, width, *args):
    result = CliRunner().invoke(cli, ["--index-dir", str(index), *args], env={"COLUMNS": str(width), "NO_COLOR": None})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("flags", [(), ("--bidi",), ("--color",), ("--no-collapse",)])
def test_query_output_fits_the_terminal(wide_index, width, flags):
    out = run(wide_index, width, "query", "عاصفة الحزم", *flags)
    ids = [a.id for a in CLI_ARTICLES if "--no-collapse" in flags or not a.id.endswith("-copy")]
    assert_fits(out, width, ids)
    if "--color" in flags:
        assert "\x1b[" in out  # escapes were there, and did not count


@pytest.mark.parametrize("width", WIDTHS)
def test_other_tables_fit_the_terminal(wide_index, width):
    assert_fits(run(wide_index, width, "similar", LONG_ID), width, ["a-very-long-article-id-with-many-dashes-0042"])
    assert_fits(run(wide_index, width, "show", LONG_ID, "--dupes"), width, [LONG_ID, f"{LONG_ID}-copy"])
    assert_fits(run(wide_index, width, "query", "عاصفة الحزم", "--facet", "source", "--bidi"), width)
    stats = run(wide_index, width, "stats").split("\n")
    assert all(cells(line) <= width for line in stats if not line.startswith("index:"))  # the path is never cut


def test_at_200_columns_titles_are_whole_and_ids_have_one_line(wide_index):
    out = run(wide_index, 200, "query", "عاصفة الحزم").split("\n")
    assert any(TITLE_HARAKAT in line for line in out)
    assert max(cells(line) for line in out) > 120  # the width is used, not a fixed 120


def test_no_hits_is_an_empty_list_at_any_width():
    assert render_table([], plain_mark, 40) == ""
