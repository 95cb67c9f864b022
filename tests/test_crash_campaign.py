"""The crash campaign (benchmarks/crash_campaign.py) at small N: real `search index` processes
killed with SIGKILL while adding, updating and rebuilding, with one job and two."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from .conftest import REPO, require_corpora

pytestmark = pytest.mark.slow


def _campaign_module():
    spec = importlib.util.spec_from_file_location("crash_campaign", REPO / "benchmarks" / "crash_campaign.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    corpora = require_corpora("saudinewsnet")
    module = _campaign_module()
    # Six kills, one of each kind of run; 300 articles committed 50 at a time.
    result = module.run_campaign(
        kills=6,
        articles=300,
        batch_size=50,
        corpus=corpora / "saudinewsnet" / "articles.jsonl.gz",
        seed=7,
        work=tmp_path_factory.mktemp("crash-campaign"),
        log=lambda message: None,
    )
    print(result.render())
    return result


def test_every_kind_of_run_was_killed(campaign):
    killed = {(r.phase, r.jobs) for r in campaign.rounds if r.killed}
    assert killed == {("add", 1), ("add", 2), ("update", 1), ("update", 2), ("rebuild", 1), ("rebuild", 2)}


def test_killed_adds_and_updates_lose_nothing_double_nothing_and_the_next_run_completes(campaign):
    assert campaign.broken(phases={"add", "update"}) == []


def test_a_killed_rebuild_leaves_the_old_archive_whole(campaign):
    assert campaign.broken(phases={"rebuild"}) == []
