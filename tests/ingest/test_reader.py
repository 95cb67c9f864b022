import gzip
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import CorpusError, CorpusFormatError
from searcher.ingest import CorpusReader, read_corpus
from searcher.models import Article, Problem

REPO = Path(__file__).parents[2]
NEWS = REPO / "tests" / "data" / "ingest" / "news.jsonl"

TEXT_ARTICLE = (
    "افتتاح معرض للكتاب في عمّان\n"
    "تاريخ النشر: 02.03.2019 | 10:00 عمّان\n"
    "وكالة الأنباء\n"
    "يستمر المعرض عشرة أيام.\n"
)


def record(id: str, title: str = "عنوان الخبر") -> str:
    return json.dumps({"id": id, "title": title, "body": "نص الخبر"}, ensure_ascii=False) + "\n"


def collect(paths, **kwargs) -> tuple[list[Article], list[Problem], CorpusReader]:
    problems: list[Problem] = []
    reader = CorpusReader(paths, on_problem=problems.append, **kwargs)
    return list(reader), problems, reader


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A small corpus folder; the working directory is its parent so paths can be given relative."""
    root = tmp_path / "corpus"
    (root / "2019" / "march").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b.txt").write_text(TEXT_ARTICLE, encoding="utf-8")
    (root / "2019" / "z.jsonl").write_text(record("j1") + "\n" + '{"body": "بلا معرف"}\n', encoding="utf-8")
    (root / "2019" / "march" / "a.TXT").write_text("عنوان\nنص", encoding="utf-8")
    with gzip.open(root / "2019" / "c.ndjson.gz", "wt", encoding="utf-8") as out:
        out.write(record("g1") + record("g2"))
    (root / "2019" / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / "README").write_text("read me", encoding="utf-8")
    (root / ".hidden.txt").write_text("مخفي", encoding="utf-8")
    (root / ".git" / "x.txt").write_text("مخفي", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return root


def test_directory_walk_order_ids_and_origins(tree):
    articles, problems, _ = collect(["corpus"])
    assert [(a.id, a.origin) for a in articles] == [
        ("g1", "corpus/2019/c.ndjson.gz:1"),
        ("g2", "corpus/2019/c.ndjson.gz:2"),
        ("2019/march/a.TXT", "corpus/2019/march/a.TXT"),
        ("j1", "corpus/2019/z.jsonl:1"),
        ("2019/z.jsonl:3", "corpus/2019/z.jsonl:3"),
        ("b.txt", "corpus/b.txt"),
    ]
    assert [(p.location, p.message, p.skipped) for p in problems] == [
        ("corpus/2019/notes.pdf", "unsupported file type (.pdf)", True),
        ("corpus/README", "unsupported file type (no extension)", True),
    ]


def test_trailing_slash_and_absolute_roots(tree):
    with_slash = [a.origin for a in collect(["corpus/"])[0]]
    assert with_slash[-1] == "corpus/b.txt"
    absolute = collect([tree])[0]
    assert absolute[-1].id == "b.txt" and absolute[-1].origin == str(tree / "b.txt")


def test_a_file_given_directly_is_identified_by_its_name(tree):
    articles, _, _ = collect(["corpus/b.txt", "corpus/2019/z.jsonl"])
    assert [a.id for a in articles] == ["b.txt", "j1", "z.jsonl:3"]
    assert articles[0].origin == "corpus/b.txt"


def test_seed_id_and_user_samples_read_cleanly():
    articles, problems, _ = collect([REPO / "corpus"])
    assert problems == []
    ids = [a.id for a in articles]
    assert ids == [f"sample-00{n}" for n in range(1, 6)] + ["syria-tv-2019-02-27-baghouz.txt"]
    samples = "\n".join(a.title + "\n" + a.body for a in articles[:5])
    for spelling in ["البَاغُوزِ", "الباغـوز", "والباغوز", "مسئول", "مسؤول", "٢٠١٩", "فى مدينه"]:
        assert spelling in samples
    assert all(a.date.year == 2019 for a in articles)


def test_symlinked_directories_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("عنوان\nنص", encoding="utf-8")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "file-link.txt").symlink_to(outside / "x.txt")
    (root / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    articles, problems, _ = collect([root])
    assert [a.id for a in articles] == ["file-link.txt"]
    assert [(p.location, p.message) for p in problems] == [(str(root / "dangling.txt"), "broken symbolic link")]


def test_missing_path_raises_before_any_reading(tree):
    with pytest.raises(CorpusError, match="corpus/nope.txt"):
        CorpusReader(["corpus/b.txt", "corpus/nope.txt"])


def test_without_a_collector_problems_raise(tree):
    reader = CorpusReader(["corpus/2019"])
    with pytest.raises(CorpusFormatError) as raised:
        list(reader)
    assert raised.value.location == "corpus/2019/notes.pdf"


def test_read_corpus_is_a_shortcut(tree):
    assert [a.id for a in read_corpus(["corpus/b.txt"])] == ["b.txt"]


def test_stdin_plain_text_article():
    stdin = io.BytesIO(b"\n\n" + TEXT_ARTICLE.encode("utf-8"))
    articles, problems, reader = collect(["-"], stdin=stdin)
    assert problems == []
    assert (articles[0].id, articles[0].origin, articles[0].source) == ("stdin", "stdin", "وكالة الأنباء")
    assert reader.total_bytes is None
    assert reader.bytes_read == len(stdin.getvalue())


def test_stdin_json_lines():
    stdin = io.BytesIO(("  \n" + record("s1") + '{"title": "بلا معرف", "body": ""}\n').encode("utf-8"))
    articles, problems, _ = collect(["-"], stdin=stdin)
    assert problems == []
    assert [(a.id, a.origin) for a in articles] == [("s1", "stdin:2"), ("stdin:3", "stdin:3")]


def test_stdin_gzip_is_detected_and_empty_stdin_reported():
    articles, _, _ = collect(["-"], stdin=io.BytesIO(gzip.compress(record("z1").encode())))
    assert [a.id for a in articles] == ["z1"]
    _, problems, _ = collect(["-"], stdin=io.BytesIO(b""))
    assert [(p.location, p.message) for p in problems] == [("stdin", "empty file")]


def test_stdin_twice_is_refused():
    with pytest.raises(CorpusError):
        CorpusReader(["-", "-"], stdin=io.BytesIO(b""))


def test_named_files_with_unknown_extensions_are_sniffed(tmp_path):
    (tmp_path / "feed.data").write_text(record("f1"), encoding="utf-8")
    (tmp_path / "article.md").write_text(TEXT_ARTICLE, encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "feed.gz").write_bytes(gzip.compress(record("f2").encode()))
    (tmp_path / "utf16.dat").write_text(record("f3"), encoding="utf-16")
    names = ["feed.data", "article.md", "blob.bin", "feed.gz", "utf16.dat"]
    articles, problems, _ = collect([tmp_path / name for name in names])
    assert [a.id for a in articles] == ["f1", "article.md", "f2", "f3"]
    assert [(p.location, p.message) for p in problems] == [(str(tmp_path / "blob.bin"), "binary file")]


def test_unreadable_gzip_is_a_problem_and_reading_goes_on(tmp_path):
    good = gzip.compress((record("1") + record("2")).encode())
    (tmp_path / "a-truncated.jsonl.gz").write_bytes(good[: len(good) - 12])
    (tmp_path / "b-fake.jsonl.gz").write_bytes(record("3").encode())
    (tmp_path / "c.txt").write_text(TEXT_ARTICLE, encoding="utf-8")
    articles, problems, reader = collect([tmp_path])
    assert [a.id for a in articles][-1] == "c.txt"
    assert [(Path(p.location).name, p.message) for p in problems] == [
        ("a-truncated.jsonl.gz", "truncated gzip file"),
        ("b-fake.jsonl.gz", "not a gzip file"),
    ]
    assert reader.bytes_read == reader.total_bytes


def test_text_file_encodings_and_binary(tmp_path):
    (tmp_path / "cp1256.txt").write_bytes(TEXT_ARTICLE.encode("cp1256"))
    (tmp_path / "utf16.txt").write_text(TEXT_ARTICLE, encoding="utf-16")
    (tmp_path / "zbinary.txt").write_bytes(b"\x00\x01\x02\x03")
    articles, problems, _ = collect([tmp_path])
    assert [a.source for a in articles] == ["وكالة الأنباء", "وكالة الأنباء"]
    assert [(Path(p.location).name, p.message, p.skipped) for p in problems] == [
        ("cp1256.txt", "decoded as Windows-1256", False),
        ("zbinary.txt", "binary file", True),
    ]


def test_progress_bytes_add_up_for_a_directory(tree):
    reader = CorpusReader(["corpus"], on_problem=lambda problem: None)
    readable = [tree / "b.txt", tree / "2019/z.jsonl", tree / "2019/march/a.TXT", tree / "2019/c.ndjson.gz"]
    assert reader.total_bytes == sum(path.stat().st_size for path in readable)
    seen = []
    for _ in reader:
        seen.append(reader.bytes_read)
    assert seen == sorted(seen)
    assert reader.bytes_read == reader.total_bytes


def test_progress_of_gzip_counts_compressed_bytes(tmp_path):
    path = tmp_path / "big.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for number in range(3000):
            out.write(record(f"n{number}", title=f"خبر رقم {number} {os.urandom(24).hex()}"))
    reader = CorpusReader([path])
    assert reader.total_bytes == path.stat().st_size
    progress = [reader.bytes_read for _ in reader]
    assert len(progress) == 3000
    assert 0 < progress[0] < reader.total_bytes  # streamed, not loaded whole
    assert reader.bytes_read == reader.total_bytes


def test_a_single_path_string_is_not_split_into_characters(tree):
    assert [a.id for a in CorpusReader("corpus/b.txt")] == ["b.txt"]


# Fragments that make random input look like JSON Lines often enough to reach the record checks.
JSONISH_PIECES = [b"{", b"}", b'"body"', b'"title"', b":", b'"\xd9\x86"', b"\n", b"\xff", b"\x00", b"null", b" ", b"["]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=3000) | st.lists(st.sampled_from(JSONISH_PIECES)).map(b"".join),
    suffix=st.sampled_from([".jsonl", ".txt", ".jsonl.gz", ".txt.gz", ".data"]),
    compress=st.booleans(),
)
def test_random_bytes_never_raise(data, suffix, compress):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "input" + suffix)
        with open(path, "wb") as out:
            out.write(gzip.compress(data) if compress else data)
        articles, problems, reader = collect([path])
        assert all(isinstance(article, Article) for article in articles)
        assert all(isinstance(problem, Problem) for problem in problems)
        assert reader.bytes_read == reader.total_bytes
    articles, problems, _ = collect(["-"], stdin=io.BytesIO(data))
    assert all(isinstance(article, Article) for article in articles)


json_values = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.lists(st.integers(), max_size=2)
)
field_names = st.sampled_from(["id", "title", "date", "source", "category", "url", "body"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.dictionaries(field_names, json_values), min_size=1))
def test_random_records_give_one_article_or_one_skip_per_line(records):
    lines = "".join(json.dumps(fields, ensure_ascii=False) + "\n" for fields in records)
    stream = io.BytesIO(lines.encode("utf-8", "surrogatepass"))
    articles, problems, _ = collect(["-"], stdin=stream)
    skipped = [p for p in problems if p.skipped]
    assert len(articles) + len(skipped) == len(records)
