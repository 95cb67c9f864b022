"""The classes an index names by module path: moving one breaks every index built before.

Whoosh pickles the schema (fields, formats, analyzers and their tokenizers and
filters) and the segment list into the index's table of contents (``_MAIN_*.toc``).
Unpickling looks each class up by ``module.name``, so these paths are part of the
index format: see "Pickled class paths" in docs/architecture.md.
"""

from __future__ import annotations

import io
import pickle

from .conftest import ARTICLES, make_index

#: What an index written by this version names, module path -> class names.
PICKLED_PATHS = {
    "builtins": {"int"},
    "collections": {"defaultdict"},
    # The project's own: must stay importable here (or FORMAT_VERSION bumped, with a rebuild message).
    "searcher.analysis": {"ArabicTokenizer", "ExactFilter", "SearchFormFilter"},
    "searcher.postings": {"CompactPositions"},
    # Whoosh's: they move only with the whoosh3 pin in pyproject.toml.
    "whoosh.analysis.analyzers": {"CompositeAnalyzer"},
    "whoosh.analysis.tokenizers": {"IDTokenizer"},
    "whoosh.codec.whoosh3": {"W3Codec", "W3Segment"},
    "whoosh.columns": {"VarBytesColumn"},
    "whoosh.fields": {"ID", "STORED", "Schema", "TEXT"},
    "whoosh.formats": {"Existence"},
}

MESSAGE = (
    "the classes pickled into an index changed: an index built before cannot be opened "
    "unless the old paths stay importable (or meta.FORMAT_VERSION is bumped). "
    "See 'Pickled class paths' in docs/architecture.md, then update PICKLED_PATHS and that section."
)


class _Recorder(pickle.Unpickler):
    """Unpickles as usual, noting every class looked up."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.looked_up: set[tuple[str, str]] = set()

    def find_class(self, module, name):
        self.looked_up.add((module, name))
        return super().find_class(module, name)


def pickles_in(data: bytes):
    """Every complete pickle (protocol 2 and up) starting anywhere in ``data``: the classes it names."""
    start = data.find(b"\x80")
    while start != -1:
        if start + 1 < len(data) and 2 <= data[start + 1] <= pickle.HIGHEST_PROTOCOL:
            recorder = _Recorder(data[start:])
            try:
                recorder.load()
            except Exception:  # noqa: BLE001 - most positions are not the start of a pickle
                pass
            else:
                yield recorder.looked_up
        start = data.find(b"\x80", start + 1)


def named_classes(index_dir) -> dict[str, set[str]]:
    """module -> class names, over every pickle in every file of the index folder."""
    named: dict[str, set[str]] = {}
    for path in index_dir.iterdir():
        if path.is_file():
            for looked_up in pickles_in(path.read_bytes()):
                for module, name in looked_up:
                    named.setdefault(module, set()).add(name)
    return named


def test_an_index_names_exactly_these_classes(tmp_path):
    index_dir = make_index(tmp_path / "index", ARTICLES[:4])
    make_index(index_dir, ARTICLES[4:])  # a second run: a second segment in the table of contents
    assert len(list(index_dir.glob("_MAIN_*.toc"))) == 2  # the current commit and the one before
    assert named_classes(index_dir) == PICKLED_PATHS, MESSAGE


def test_the_table_of_contents_holds_the_project_classes(tmp_path):
    """The project's classes are named by the table of contents itself (the schema), not by stray bytes."""
    index_dir = make_index(tmp_path / "index", ARTICLES[:2])
    toc = max(index_dir.glob("_MAIN_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    named = set().union(*pickles_in(toc.read_bytes()))
    assert {("searcher.analysis", "ArabicTokenizer"), ("searcher.postings", "CompactPositions")} <= named


def test_the_recorder_sees_a_moved_class():
    """The scan finds a class wherever a pickle of it sits in a file."""
    from searcher.postings import CompactPositions

    data = b"header" + pickle.dumps(CompactPositions(), 2) + b"trailer"
    assert ("searcher.postings", "CompactPositions") in set().union(*pickles_in(data))
