"""CSV and TSV exports: one article per row, columns found by their header names.

Spreadsheets and database exports name their columns freely ("text", "headline",
"النص", "العنوان") and use whatever delimiter the exporting program chose (a
comma, a semicolon in locales where the comma is the decimal mark, a tab from
Excel's "Unicode text"). The header row is matched against built-in names in
English and Arabic, ``--map body=COLUMN`` names any other column (or gives its
1-based number), and the delimiter is sniffed from the first rows. Rows are read
one at a time, so quoted fields may span lines and the file may be any size; a
bad row becomes a Problem at ``path:line`` (the row's first line) and reading
goes on.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from searcher.ingest.dates import parse_date
from searcher.ingest.decode import MAX_ARTICLE_BYTES, TOO_LARGE, UTF8_BOM, clean_controls, decode_bytes, has_utf16_bom
from searcher.ingest.decode import split_lines as _split_lines
from searcher.models import Article, Problem

#: The Article fields a column can fill.
FIELDS = ("id", "title", "date", "source", "category", "url", "body")
#: Delimiters tried when the file does not say (a .tsv file or --format tsv means a tab).
DELIMITERS = (",", ";", "\t", "|")

#: Header names recognised without --map, compared after ``_normalise_name``.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc id", "docid", "article id", "identifier", "guid", "uuid", "key",
           "المعرف", "معرف", "الرقم", "رقم", "رقم الخبر", "رقم المقال"),
    "title": ("title", "headline", "heading", "head", "subject", "article title",
              "العنوان", "عنوان", "عنوان الخبر", "عنوان المقال", "العنوان الرئيسي"),
    "date": ("date", "published", "publish date", "published date", "published at", "publication date",
             "pub date", "pubdate", "date published", "datetime", "created at",
             "التاريخ", "تاريخ", "تاريخ النشر", "تاريخ الخبر"),
    "source": ("source", "publisher", "outlet", "newspaper", "site", "site name", "sitename", "media", "agency",
               "المصدر", "مصدر", "الناشر", "الصحيفه", "الجريده", "الموقع", "الوكاله"),
    "category": ("category", "categories", "section", "topic", "rubric",
                 "القسم", "قسم", "التصنيف", "تصنيف", "الفئه", "فئه", "الباب"),
    "url": ("url", "link", "href", "permalink", "uri", "article url", "source url",
            "الرابط", "رابط", "الرابط الاصلي"),
    "body": ("body", "text", "content", "contents", "article", "article text", "body text", "story",
             "full text", "fulltext", "النص", "نص", "نص الخبر", "نص المقال", "المتن", "متن",
             "المحتوي", "محتوي", "الخبر", "المقال", "التفاصيل"),
}

_SAMPLE_BYTES = 64 * 1024
_CHUNK_BYTES = 64 * 1024
_SAMPLE_ROWS = 50
_MAX_HEADER_NAME = 40
_NAME_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": None, "\ufeff": None})
_NAME_SEPARATORS = re.compile(r"[\s_\-.:]+")

ColumnMap = Mapping[str, "str | int"]


class ColumnMapError(ValueError):
    """A --map specification that cannot be used; the message says why."""


def parse_column_map(specs: Iterable[str]) -> dict[str, str | int]:
    """Read ``--map`` values: ``FIELD=COLUMN`` pairs, comma-separated or repeated.

    A COLUMN of digits is a 1-based column number, for files without a header.

    >>> parse_column_map(["body=text,title=headline", "date=3"])
    {'body': 'text', 'title': 'headline', 'date': 3}
    """
    mapping: dict[str, str | int] = {}
    for spec in specs:
        for pair in spec.split(","):
            if not pair.strip():
                continue
            field, equals, column = pair.partition("=")
            field, column = field.strip().lower(), column.strip()
            if not equals or not column:
                raise ColumnMapError(f"'{pair.strip()}' is not FIELD=COLUMN")
            if field not in FIELDS:
                raise ColumnMapError(f"unknown field '{field}' (fields: {', '.join(FIELDS)})")
            if column.isdigit():
                if int(column) < 1:
                    raise ColumnMapError(f"column numbers start at 1, not {column}")
                mapping[field] = int(column)
            else:
                mapping[field] = column
    return mapping


def looks_delimited(head: str, column_map: ColumnMap | None = None) -> bool:
    """Whether the first line of ``head`` is a header row with a body column (used to sniff stdin).

    >>> looks_delimited("العنوان;النص;التاريخ\\nخبر;نص;2019-01-01\\n")
    True
    >>> looks_delimited("عنوان الخبر\\nنص الخبر, وفيه فاصلة\\n")
    False
    """
    first_line = head.split("\n", 1)[0]
    for delimiter in DELIMITERS:
        if delimiter not in first_line:
            continue
        header = _parse_line(first_line, delimiter)
        if len(header) > 1 and _find_columns(header, column_map or {}).get("body") is not None:
            return True
    return False


def sniff_delimiter(sample: str, column_map: ColumnMap | None = None) -> str:
    """The delimiter of a CSV sample: the one whose header names a body column, else the most regular one.

    >>> sniff_delimiter("id;title;body\\n1;a, b;c\\n")
    ';'
    >>> sniff_delimiter("x|y|z\\n1|2|3\\n4|5|6\\n")
    '|'
    """
    lines = sample.split("\n", 1)
    for delimiter in DELIMITERS:
        header = _parse_line(lines[0], delimiter)
        if len(header) > 1 and _find_columns(header, column_map or {}).get("body") is not None:
            return delimiter
    best, best_score = DELIMITERS[0], (0.0, 0)
    for delimiter in DELIMITERS:
        rows = _sample_rows(sample, delimiter)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        regular = sum(1 for row in rows if len(row) == width) / len(rows)
        if (regular, width) > best_score:
            best, best_score = delimiter, (regular, width)
    return best


def iter_delimited(
    stream: BinaryIO,
    *,
    origin: str,
    id_prefix: str,
    delimiter: str | None = None,
    column_map: ColumnMap | None = None,
) -> Iterator[Article | Problem]:
    """Yield the Articles of a CSV/TSV byte stream, and a Problem for each bad row.

    ``delimiter`` None means sniff it; ``id_prefix`` builds the ids of rows
    without an id column ("<id_prefix>:<line>").
    """
    column_map = column_map or {}
    sample = stream.read(_SAMPLE_BYTES)
    chunks = itertools.chain([sample], iter(lambda: stream.read(_CHUNK_BYTES), b""))
    encoding, warning = _choose_encoding(sample)
    if warning:
        yield Problem(origin, warning, skipped=False)
    lines = _TextLines(chunks, encoding)
    sample_text = _decode_sample(sample, encoding)
    if delimiter is None:
        delimiter = sniff_delimiter(sample_text, column_map)

    previous_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    try:
        yield from _read_rows(lines, sample_text, origin, id_prefix, delimiter, column_map)
    finally:
        csv.field_size_limit(previous_limit)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each field is: column indexes, and the row width the header promises."""

    columns: dict[str, int]
    width: int


def _read_rows(
    lines: _TextLines, sample_text: str, origin: str, id_prefix: str, delimiter: str, column_map: ColumnMap
) -> Iterator[Article | Problem]:
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    layout: _Layout | None = None
    last_line = 0
    while True:
        start = last_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = _describe_csv_error(exc)
            if message == TOO_LARGE:
                _skip_rest_of_field(lines)
            # Lines taken past the csv reader count too, so the line number is the source's own.
            last_line = lines.number
            lines.problem_between(start, last_line)
            yield Problem(f"{origin}:{start}", message)
            continue
        last_line = lines.number
        bad = lines.problem_between(start, last_line)
        if bad is not None:
            yield Problem(f"{origin}:{bad[0]}", bad[1])
            continue
        if layout is None:
            header = [clean_controls(cell) for cell in row]
            layout, problem, header_is_data = _layout_from_first_row(header, sample_text, delimiter, column_map)
            if problem is not None:
                yield Problem(origin, problem)
                return
            if not header_is_data:
                continue
        if not any(cell.strip() for cell in row):
            continue
        yield from _row_to_article(row, layout, location=f"{origin}:{start}", fallback_id=f"{id_prefix}:{start}")
    if layout is None and last_line == 0:
        yield Problem(origin, "empty file")


def _layout_from_first_row(
    first_row: list[str], sample_text: str, delimiter: str, column_map: ColumnMap
) -> tuple[_Layout, str | None, bool]:
    """The columns of each field, an error message if there is no body column, and whether row 1 is data."""
    named = _find_columns(first_row, column_map)
    by_name_only = {field: index for field, index in named.items() if not isinstance(column_map.get(field), int)}
    header_is_data = not any(index is not None for index in by_name_only.values())
    body_position = column_map.get("body")
    if header_is_data and isinstance(body_position, int) and all(isinstance(c, int) for c in column_map.values()):
        # Only positions given and no known name in row 1: it is a header only if it looks like one.
        header_is_data = not _looks_like_header(first_row, _sample_rows(sample_text, delimiter)[1:], body_position - 1)
    columns = {field: index for field, index in named.items() if index is not None}
    width = len(first_row)
    if "body" not in columns:
        shown = ", ".join(cell.strip() or "''" for cell in first_row[:12]) or "none"
        wanted = column_map.get("body")
        if wanted is None:
            return _Layout({}, width), f"no body column (columns: {shown}); name it with --map body=COLUMN", False
        return _Layout({}, width), f"no column {wanted!r} for body (columns: {shown})", False
    for field, wanted in column_map.items():
        if field not in columns:
            shown = ", ".join(cell.strip() or "''" for cell in first_row[:12])
            return _Layout({}, width), f"no column {wanted!r} for {field} (columns: {shown})", False
    return _Layout(columns, width), None, header_is_data


def _find_columns(header: list[str], column_map: ColumnMap) -> dict[str, int | None]:
    """The index of each field's column: --map first, then the built-in names; None if absent."""
    names = [_normalise_name(cell) for cell in header]
    found: dict[str, int | None] = {}
    for field in FIELDS:
        wanted = column_map.get(field)
        if isinstance(wanted, int):
            found[field] = wanted - 1 if wanted <= len(header) else None
        elif wanted is not None:
            found[field] = _index(names, [_normalise_name(wanted)])
        else:
            found[field] = _index(names, [_normalise_name(alias) for alias in ALIASES[field]])
    # A column taken by --map is not also taken by another field's built-in name.
    taken = {found[field] for field in column_map if found.get(field) is not None}
    for field in FIELDS:
        if field not in column_map and found[field] in taken:
            found[field] = None
    return found


def _index(names: list[str], wanted: list[str]) -> int | None:
    for alias in wanted:
        if alias in names:
            return names.index(alias)
    return None


def _normalise_name(name: str) -> str:
    """Case, separators and Arabic spelling variants do not matter in header names.

    >>> _normalise_name("  Published_At ") == _normalise_name("published at")
    True
    >>> _normalise_name("الصحيفة") == _normalise_name("الصحيفه")
    True
    """
    return _NAME_SEPARATORS.sub(" ", name.translate(_NAME_FOLD).casefold()).strip()


def _looks_like_header(first_row: list[str], next_rows: list[list[str]], body_index: int) -> bool:
    """A first row whose body cell is a short name, where the rows after it hold long texts.

    >>> _looks_like_header(["a", "text"], [["1", "نص خبر طويل " * 5]], 1)
    True
    >>> _looks_like_header(["عنوان", "نص الخبر الأول كاملاً هنا " * 3], [["2", "نص ثان " * 9]], 1)
    False
    """
    if body_index >= len(first_row):
        return False
    cell = first_row[body_index].strip()
    if len(cell) > _MAX_HEADER_NAME or "\n" in cell:
        return False
    bodies = sorted(len(row[body_index]) for row in next_rows if body_index < len(row))
    return not bodies or len(cell) * 4 <= bodies[len(bodies) // 2]


def _row_to_article(row: list[str], layout: _Layout, *, location: str, fallback_id: str) -> Iterator[Article | Problem]:
    width = len(row)
    if width > layout.width and not any(cell.strip() for cell in row[layout.width :]):
        width = layout.width  # trailing empty cells, as some exporters write
    if width != layout.width:
        yield Problem(location, f"{len(row)} fields where the header has {layout.width}")
        return

    def cell(field: str) -> str:
        index = layout.columns.get(field)
        return clean_controls(row[index]).strip() if index is not None else ""

    body = clean_controls(row[layout.columns["body"]]).replace("\r\n", "\n").replace("\r", "\n").strip()
    title = " ".join(cell("title").split())
    if not title and not body:
        yield Problem(location, "empty article")
        return
    date = None
    date_text = cell("date")
    if date_text:
        date = parse_date(date_text)
        if date is None:
            yield Problem(location, f"invalid date {date_text[:40]!r}", skipped=False)
    yield Article(
        id=cell("id") or fallback_id,
        title=title,
        body=body,
        date=date,
        source=cell("source") or None,
        category=cell("category") or None,
        url=cell("url") or None,
        origin=location,
    )


def _skip_rest_of_field(lines: Iterator[str]) -> None:
    """Drop the lines of a quoted field the csv reader gave up on as too large, up to the end of its row.

    The reader resumes at the next line as if outside quotes, so every line of a
    runaway field (a quote never closed: a whole file, a gzip bomb) would become a
    bad row or, worse, a wrong article. The field is open where the reader stopped;
    each quote after that toggles it (a doubled quote toggles twice), and the row
    ends at the first line break outside quotes.
    """
    inside = True
    for line in lines:
        if line.count('"') % 2:
            inside = not inside
        if not inside and line.endswith("\n"):
            return


def _describe_csv_error(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return TOO_LARGE
    if "unexpected end of data" in message:
        return "unterminated quoted field (a quote opened here is never closed)"
    return f"malformed row ({message})"


def _parse_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a stray carriage return, an unclosed quote: not a header
        return []


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    try:
        lines = _cut_to_complete_rows(sample).splitlines(True)
        rows = list(itertools.islice(csv.reader(lines, delimiter=delimiter), _SAMPLE_ROWS))
    except csv.Error:
        return []
    return [row for row in rows if row]


def _cut_to_complete_rows(sample: str) -> str:
    """The sample up to its last line break: a sample cut mid-row would look irregular."""
    end = sample.rfind("\n")
    return sample[: end + 1] if end >= 0 else sample


def _choose_encoding(sample: bytes) -> tuple[str, str | None]:
    """UTF-16 by its BOM, else UTF-8, else Windows-1256 when the sample reads as Arabic in it."""
    if has_utf16_bom(sample):
        return "utf-16", None
    text = sample.removeprefix(UTF8_BOM)
    complete = text[: text.rfind(b"\n") + 1] or text
    try:
        complete.decode("utf-8")
    except UnicodeDecodeError:
        decoded = decode_bytes(complete, detect_binary=False, clean=False)
        if decoded.text is not None and decoded.warning:
            return "cp1256", decoded.warning
    return "utf-8", None


def _decode_sample(sample: bytes, encoding: str) -> str:
    if encoding == "utf-8":
        sample = sample.removeprefix(UTF8_BOM)
    return codecs.getincrementaldecoder(encoding)("replace").decode(sample).replace("\r\n", "\n").lstrip("\ufeff")


class _TextLines:
    """The lines of a byte stream as text, for csv.reader; remembers which lines were bad.

    A line that cannot be decoded, or is longer than an article may be, is passed
    on decoded leniently (so the CSV parser stays in step) and the row that
    contains it is skipped with the reason.
    """

    def __init__(self, chunks: Iterable[bytes], encoding: str):
        self._lines = self._decode(chunks, encoding)
        self._problems: dict[int, str] = {}
        self.number = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        self.number += 1
        line, problem = next(self._lines)
        if problem is not None:
            self._problems[self.number] = problem
        return line

    def problem_between(self, first: int, last: int) -> tuple[int, str] | None:
        """The first bad line in ``first..last`` with its reason; forgets lines before ``last``."""
        found = None
        for number in sorted(self._problems):
            if number > last:
                break
            if number >= first and found is None:
                found = (number, self._problems[number])
            del self._problems[number]
        return found

    @staticmethod
    def _decode(chunks: Iterable[bytes], encoding: str) -> Iterator[tuple[str, str | None]]:
        too_long = f"too large for one article (over {MAX_ARTICLE_BYTES // 2**20} MiB)"
        if encoding == "utf-16":
            decoder = codecs.getincrementaldecoder("utf-16")("replace")
            text_chunks = (decoder.decode(chunk) for chunk in chunks)
            for line, oversized in _split_lines(text_chunks, "\n", MAX_ARTICLE_BYTES // 2):
                yield ("\n", too_long) if oversized else (line, None)
            return
        first = True
        for raw, oversized in _split_lines(chunks, b"\n", MAX_ARTICLE_BYTES):
            if first:
                raw = raw.removeprefix(UTF8_BOM)
                first = False
            if oversized:
                yield "\n", too_long
                continue
            if b"\0" in raw:  # as in JSON Lines: the row is lost, not the file
                yield raw.replace(b"\0", b"").decode(encoding, "replace"), "binary data (NUL byte) in line"
                continue
            try:
                yield raw.decode(encoding), None
            except UnicodeDecodeError as exc:
                yield raw.decode(encoding, "replace"), f"not UTF-8 text (invalid byte at column {exc.start + 1})"
