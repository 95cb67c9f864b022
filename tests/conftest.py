"""Shared fixtures: a small Arabic corpus written for these tests, and indexes of it."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

from searcher.indexer import Indexer
from searcher.models import Article

# CI runs every property test on the same examples (a red build is a real bug, reproduced
# by running again) and never fails one for being slow on a busy machine; locally
# Hypothesis explores new examples on every run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"


def article(id, title, body, date=None, **extra) -> Article:
    return Article(id=id, title=title, body=body, date=dt.date.fromisoformat(date) if date else None, **extra)


#: Each article spells its key words differently, so that one query must find several.
ARTICLES = [
    article(
        "a1",
        "خروج المدنيين من الباغوز",
        "خرج مئات المدنيين مِن بلدة البَاغُوزِ شرق دير الزور، وسط أنباء عن اتفاق مع التحالف الدولي.",
        "2019-02-20",
        source="تلفزيون سوريا",
        category="سياسة",
        place="دمشق",
        time="14:02",
    ),
    article(
        "a2",
        "معارك عنيفة شرقي سوريا",
        "تواصلت المعارك في محيط الباغـوز، وقال مسئول محلي إن القوات تقدمت.\n\nوعاد مئات النازحين إلى مناطقهم.",
        "2019-03-01",
        source="وكالة الأنباء",
    ),
    article(
        "a3",
        "أسعار النفط ترتفع",
        "ارتفعت أسعار النفط في الأسواق العالمية يوم الاثنين بنسبة ٢٪ بعد قرار أوبك خفض الإنتاج.",
        "2018-11-05",
        source="skynews",
        category="economy",
    ),
    article(
        "a4",
        "مهرجان الرياضة المدرسية",
        "انطلق مهرجان الرياضة المدرسية بمشاركة مئات الطلاب من المدارس الحكومية.",
        "2018-09-10",
        source="skynews",
        category="sport",
    ),
    article(
        "a5",
        "افتتاح معرض الكتاب في الرياض",
        "افتتح في الرياض معرض الكتاب الدولي بحضور المسؤول عن الثقافة وعدد من الكتاب.",
        "2018-10-01",
        source="Jawhara FM",
        url="https://example.org/a5",
    ),
    article(
        "a6",
        "مستشفى جديد في المدينه",
        "افتتحت وزاره الصحه مستشفي جديدا في المدينة المنورة يتسع لمئتي سرير.",
        "2017-05-14",
        source="Jawhara FM",
    ),
    article(
        "a7",
        "Reuters: تقرير عن الإصابات",
        "قالت وكالة Reuters إن عدد الإصابات بلغ ١٢٣ حالة في 2020 وفق الأرقام الرسمية.",
        None,
        source="BBC",
    ),
]


def write_jsonl(path: Path, articles=ARTICLES) -> Path:
    """The articles as a corpus JSON Lines file (the format of ../shared/corpora)."""
    with path.open("w", encoding="utf-8") as out:
        for a in articles:
            record = {
                "id": a.id,
                "title": a.title,
                "date": a.date.isoformat() if a.date else None,
                "source": a.source,
                "category": a.category,
                "url": a.url,
                "body": a.body,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def make_index(index_dir: Path, articles=ARTICLES) -> Path:
    with Indexer(index_dir) as indexer:
        indexer.add_all(articles)
    return index_dir


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> Path:
    """One read-only index of ARTICLES for every query test."""
    return make_index(tmp_path_factory.mktemp("shared") / "index")


@pytest.fixture(scope="module")
def archive(shared_index):
    """The shared index, opened once per test module."""
    from searcher.query import Archive

    with Archive(shared_index) as opened:
        yield opened


def ids(archive, text, **options) -> list[str]:
    """The ids of a search's hits, in order."""
    from searcher.query import SearchRequest

    return [hit.id for hit in archive.search(SearchRequest(text, **options))]


@pytest.fixture()
def runner():
    """Click's test runner, for the CLI as a user types it."""
    from click.testing import CliRunner

    return CliRunner()


def search(runner, index_dir, *args, **kwargs):
    """``search --index-dir INDEX_DIR ARGS...`` through ``runner``."""
    from searcher.cli import cli

    return runner.invoke(cli, ["--index-dir", str(index_dir), *args], **kwargs)


def index_through_cli(folder: Path, articles) -> Path:
    """``articles`` written as JSON Lines in ``folder`` and indexed by ``search index`` (Click's runner)."""
    from click.testing import CliRunner

    from searcher.cli import cli

    corpus = write_jsonl(folder / "articles.jsonl", articles)
    result = CliRunner().invoke(cli, ["--index-dir", str(folder / "index"), "index", str(corpus)])
    assert result.exit_code == 0, result.output
    return folder / "index"


@pytest.fixture()
def corpus_file(tmp_path) -> Path:
    return write_jsonl(tmp_path / "articles.jsonl")


def require_corpora(*names: str) -> Path:
    """The shared corpora folder, or skip: it sits beside the repository, not in it."""
    for name in names:
        if not (CORPORA / name).exists():
            pytest.skip(f"{CORPORA / name} not found: the shared corpora are only beside the repository in CI")
    return CORPORA
