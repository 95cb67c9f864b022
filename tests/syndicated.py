"""Articles for the duplicate tests: the sample corpus plus re-publications of it.

The copies are made from ``corpus/samples.jsonl`` the way outlets re-publish a
wire: the same text with other diacritics, tatweel and punctuation (an exact
copy after normalisation), or lightly edited (a near-duplicate).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from searcher.models import Article

from .conftest import REPO


def sample_articles() -> list[Article]:
    """The five JSON Lines articles of corpus/ (long enough to be grouped)."""
    articles = []
    for line in (REPO / "corpus" / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        articles.append(
            Article(
                id=record["id"],
                title=record["title"],
                body=record["body"],
                date=dt.date.fromisoformat(record["date"]),
                source=record["source"],
                category=record["category"],
                url=record["url"],
            )
        )
    return articles


def exact_copy(article: Article, new_id: str, source: str) -> Article:
    """Re-published as is, but typed differently: hamza dropped, tatweel and harakat added, «» quotes."""
    body = (
        article.body.replace("أ", "ا")
        .replace("إ", "ا")
        .replace("الفرات", "الفـرات")
        .replace("الزور", "الزُّور")
        .replace("،", " ،")
    )
    return dataclasses.replace(article, id=new_id, source=source, title="عاجل: " + article.title, body=body)


def edited_copy(article: Article, new_id: str, source: str) -> Article:
    """Re-published with a new lead word, a sentence added and the date line changed."""
    body = article.body.replace("بدأت", "شرعت", 1).replace("وقال", "وأفاد", 1)
    body += "\nوأكدت مصادر محلية أن عمليات العودة ستستمر خلال الأسابيع المقبلة."
    return dataclasses.replace(article, id=new_id, source=source, body=body, date=article.date + dt.timedelta(days=1))


def syndicated_articles() -> list[Article]:
    """The samples, two copies of sample-001 (exact and edited) and one of sample-003."""
    samples = sample_articles()
    by_id = {a.id: a for a in samples}
    return samples + [
        exact_copy(by_id["sample-001"], "wire-001-exact", "وكالة سانا"),
        edited_copy(by_id["sample-001"], "wire-001-edited", "شبكة فرات بوست"),
        exact_copy(by_id["sample-003"], "wire-003-exact", "وكالة سانا"),
    ]
