"""The pure core of duplicate detection: keys, sketches, similarity, groups, folding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searcher import duplicates as d

from .syndicated import edited_copy, exact_copy, sample_articles

SAMPLES = {a.id: a for a in sample_articles()}
BODY = SAMPLES["sample-001"].body


def test_normalised_copies_have_the_same_exact_key():
    copy = exact_copy(SAMPLES["sample-001"], "copy", "وكالة سانا")
    assert copy.body != BODY
    original, copied = d.sketch_body(BODY), d.sketch_body(copy.body)
    assert original.exact == copied.exact
    assert d.similarity(original.signature, copied.signature) == 1.0


def test_an_edited_copy_is_a_near_duplicate_and_other_articles_are_not():
    sketch = d.sketch_body(BODY)
    edited = d.sketch_body(edited_copy(SAMPLES["sample-001"], "edited", "x").body)
    assert edited.exact != sketch.exact
    assert d.is_near_duplicate(d.similarity(sketch.signature, edited.signature))
    for other in ("sample-002", "sample-003", "sample-004", "sample-005"):
        score = d.similarity(sketch.signature, d.sketch_body(SAMPLES[other].body).signature)
        assert not d.is_near_duplicate(score), other


def test_the_estimate_tracks_the_true_shingle_similarity():
    # Half of the body kept, half replaced by another article's text.
    words = BODY.split()
    mixed = " ".join(words[: len(words) // 2]) + " " + SAMPLES["sample-004"].body
    true = d.shingles(d.body_words(BODY)) & d.shingles(d.body_words(mixed))
    union = d.shingles(d.body_words(BODY)) | d.shingles(d.body_words(mixed))
    estimate = d.similarity(d.sketch_body(BODY).signature, d.sketch_body(mixed).signature)
    assert abs(estimate - len(true) / len(union)) < 0.15


def test_short_bodies_are_never_grouped():
    short = "خرج مئات المدنيين مِن بلدة البَاغُوزِ شرق دير الزور"
    assert d.sketch_body(short) == d.BodySketch(None, None)
    assert d.sketch_body("") == d.BodySketch(None, None)


def test_band_parameters_are_datasketch_choice_for_the_threshold():
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=d.SIMILARITY_THRESHOLD, num_perm=d.NUM_PERM)
    assert (lsh.b, lsh.r) == (d.BANDS, d.ROWS)


def test_copies_share_a_band_key():
    a = d.band_keys(d.sketch_body(BODY).signature)
    b = d.band_keys(d.sketch_body(edited_copy(SAMPLES["sample-001"], "e", "x").body).signature)
    c = d.band_keys(d.sketch_body(SAMPLES["sample-004"].body).signature)
    assert set(a) & set(b)
    assert not set(a) & set(c)


def test_sketches_are_stable_across_processes():
    # Stored sketches are compared with new ones: the hashing must not depend on the process.
    import subprocess
    import sys

    code = "from searcher import duplicates as d; import sys; print(d.sketch_body(sys.stdin.read()).signature.hex())"
    out = subprocess.run([sys.executable, "-c", code], input=BODY, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == d.sketch_body(BODY).signature.hex()


@given(st.lists(st.sampled_from("abcdefgh"), max_size=12), st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh"))))
def test_connected_groups_partition_the_nodes(nodes, edges):
    nodes = list(dict.fromkeys(nodes))
    edges = [(a, b) for a, b in edges if a in nodes and b in nodes]
    groups = d.connected_groups(nodes, edges)
    assert sorted(n for g in groups for n in g) == sorted(nodes)
    where = {n: i for i, g in enumerate(groups) for n in g}
    assert all(where[a] == where[b] for a, b in edges)
    assert groups == d.connected_groups(nodes, list(reversed(edges)))


@given(st.lists(st.tuples(st.integers(0, 30), st.one_of(st.none(), st.integers(0, 4))), unique_by=lambda x: x[0]))
def test_collapse_keeps_order_and_loses_nothing(items):
    groups = dict(items)
    ranked = [i for i, _ in items]
    folded = d.collapse(ranked, groups.get)
    kept = [item for item, _ in folded]
    assert kept == [i for i in ranked if i in kept]  # order kept
    assert sorted(kept + [x for _, rest in folded for x in rest]) == sorted(ranked)
    seen_groups = [groups[i] for i in kept if groups[i] is not None]
    assert len(seen_groups) == len(set(seen_groups))  # one hit per group
    for item, rest in folded:
        assert all(groups[x] == groups[item] is not None for x in rest)
        assert all(ranked.index(x) > ranked.index(item) for x in rest)
