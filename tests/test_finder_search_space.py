"""The search space the finder's queries run on: its k-d trees, edge cases and threads."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.spatial import cKDTree

from stationmap.finder.index import SearchSpace


@pytest.fixture(scope="module")
def points() -> np.ndarray:
    return np.random.default_rng(7).normal(scale=1000.0, size=(500, 3))


def test_nearest_agrees_with_scipy_on_random_points(points):
    space, reference = SearchSpace(None, points), cKDTree(points)
    for query in np.random.default_rng(8).normal(scale=1200.0, size=(200, 3)):
        chords, positions = space.nearest(tuple(query), 6)
        want_chords, want_positions = reference.query(query, k=6)
        assert positions == want_positions.tolist()
        assert chords == pytest.approx(want_chords.tolist(), rel=1e-12)


def test_nearest_returns_fewer_when_the_space_or_the_bound_is_short(points):
    few = SearchSpace(None, points[:3])
    assert len(few.nearest((0.0, 0.0, 0.0), 10)[1]) == 3
    space = SearchSpace(None, points)
    chords, positions = space.nearest((0.0, 0.0, 0.0), 50, max_chord=300.0)
    everything = np.linalg.norm(points, axis=1)
    assert sorted(positions) == sorted(np.flatnonzero(everything <= 300.0).tolist())
    assert all(c <= 300.0 for c in chords) and chords == sorted(chords)


def test_empty_space_finds_nothing():
    space = SearchSpace(np.zeros(0, dtype=np.int64), np.zeros((0, 3)))
    assert space.size == 0
    assert space.nearest((1.0, 2.0, 3.0), 5) == ([], [])


def test_within_and_rows_map_back_to_the_index(points):
    rows = np.arange(100, 600, dtype=np.int64)[::-1]  # the space's points are rows 599..100
    space = SearchSpace(rows[:500], points)
    found = space.within((0.0, 0.0, 0.0), 500.0)
    inside = np.flatnonzero(np.linalg.norm(points, axis=1) <= 500.0)
    assert sorted(found.tolist()) == inside.tolist()
    assert space.to_rows(found).tolist() == rows[found].tolist()
    assert space.rows_at(found.tolist()) == rows[found].tolist()


def test_queries_run_on_one_openmp_thread():
    """A second OpenMP thread would spin between requests and take a core from the others."""
    probe = (
        "import json, stationmap.finder.index\n"
        "from threadpoolctl import threadpool_info\n"
        "print(json.dumps([p['num_threads'] for p in threadpool_info()"
        " if p['user_api'] == 'openmp']))"
    )
    env = {"OMP_NUM_THREADS": "4", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout) == [1]
