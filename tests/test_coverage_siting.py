"""The site proposals' solver: the greedy, the exact program, and the promises between them.

Instances are small matrices built here (the solver knows nothing of cells); the exact
answers are checked against brute force over every p-subset, not only against the greedy.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from stationmap.coverage.siting import CoveringProblem, Siting, greedy, solve
from stationmap.errors import BadRequest


def problem(rows: list[list[int]], weight: list[float], candidates: int, p: int) -> CoveringProblem:
    """A problem from, for each demand point, the candidates that reach it."""
    matrix = np.zeros((len(rows), candidates), dtype=bool)
    for i, columns in enumerate(rows):
        matrix[i, columns] = True
    return CoveringProblem(np.asarray(weight, dtype=float), sp.csr_array(matrix), p)


def random_problem(seed: int, n_demand: int = 40, n_candidates: int = 12) -> CoveringProblem:
    """A random instance with integer weights, dense enough that sites overlap."""
    rng = np.random.default_rng(seed)
    reach = rng.random((n_demand, n_candidates)) < rng.uniform(0.08, 0.3)
    weight = rng.integers(0, 50, size=n_demand).astype(float)
    return CoveringProblem(weight, sp.csr_array(reach), int(rng.integers(1, 5)))


def covered(instance: CoveringProblem, sites: tuple[int, ...]) -> float:
    """People the sites cover together, counted directly from the matrix."""
    dense = instance.reach.toarray()
    seen = dense[:, list(sites)].any(axis=1) if sites else np.zeros(len(dense), bool)
    return float(instance.weight[seen].sum())


def brute_force(instance: CoveringProblem) -> float:
    """The optimum, by trying every p-subset of candidates."""
    n_candidates = instance.reach.shape[1]
    return max(
        covered(instance, subset)
        for subset in itertools.combinations(range(n_candidates), instance.p)
    )


# Greedy takes candidate 0 (4 people) and then only 1 more; candidates 1 and 2 cover 6.
GREEDY_TRAP = problem(
    rows=[[1], [0, 1], [0, 1], [0, 2], [0, 2], [2]],
    weight=[1, 1, 1, 1, 1, 1],
    candidates=3,
    p=2,
)


def test_the_exact_solver_finds_the_optimum_the_greedy_misses():
    quick, best = greedy(GREEDY_TRAP), solve(GREEDY_TRAP)

    assert (quick.method, quick.chosen, quick.newly_covered) == ("greedy", (0, 1), 5.0)
    assert quick.gains == (4.0, 1.0)
    assert (best.method, best.chosen, best.gains, best.newly_covered) == (
        "exact",
        (1, 2),
        (3.0, 3.0),
        6.0,
    )
    assert best.optimal
    assert best.upper_bound == pytest.approx(6.0)


@pytest.mark.parametrize("seed", range(50))
def test_exact_is_optimal_and_the_greedy_keeps_its_guarantee(seed):
    instance = random_problem(seed)
    quick, best = greedy(instance), solve(instance)
    optimum = brute_force(instance)

    assert best.optimal
    assert best.newly_covered == pytest.approx(optimum)
    assert quick.newly_covered <= best.newly_covered + 1e-9
    assert quick.newly_covered >= (1 - 1 / math.e) * best.newly_covered - 1e-9
    for answer in (quick, best):
        assert answer.upper_bound is not None
        assert answer.upper_bound >= answer.newly_covered
        assert answer.upper_bound >= optimum - 1e-6  # the bound is a real bound
        assert_consistent(instance, answer)


def assert_consistent(instance: CoveringProblem, answer: Siting) -> None:
    """Gains are the sites' marginal coverage in order, largest first, and add up."""
    assert len(answer.chosen) <= instance.p
    assert len(set(answer.chosen)) == len(answer.chosen)
    assert math.fsum(answer.gains) == pytest.approx(answer.newly_covered)
    assert covered(instance, answer.chosen) == pytest.approx(answer.newly_covered)
    assert list(answer.gains) == sorted(answer.gains, reverse=True)
    assert all(gain > 0 for gain in answer.gains)


def test_merging_demand_that_sees_the_same_candidates_keeps_the_objective():
    instance = random_problem(7, n_demand=60, n_candidates=15)
    dense = instance.reach.toarray()
    # every row twice, its weight split 1:3 between the copies
    doubled = CoveringProblem(
        np.concatenate([instance.weight / 4, instance.weight * 3 / 4]),
        sp.csr_array(np.vstack([dense, dense])),
        instance.p,
    )
    once, twice = solve(instance), solve(doubled)

    assert twice.newly_covered == pytest.approx(once.newly_covered)
    assert twice.demand_points == once.demand_points
    reachable = dense[(instance.weight > 0) & dense.any(axis=1)]
    distinct_reachable = {tuple(np.flatnonzero(row)) for row in reachable}
    assert once.demand_points == len(distinct_reachable)


def test_zero_weight_and_unreachable_demand_is_dropped():
    instance = problem(
        rows=[[0], [1], [], [0, 1], [1]],
        weight=[5, 0, 9, 2, 3],
        candidates=2,
        p=1,
    )
    answer = solve(instance)

    assert answer.demand_points == 3  # {0}, {0,1}, {1} (with weight 3)
    assert (answer.chosen, answer.newly_covered) == ((0,), 7.0)


def test_a_tiny_time_limit_still_returns_at_least_the_greedy():
    instance = random_problem(3, n_demand=3_000, n_candidates=400)
    instance = CoveringProblem(instance.weight, instance.reach, 15)
    quick = greedy(instance)
    answer = solve(instance, time_limit_s=0.001)

    assert answer.newly_covered >= quick.newly_covered
    assert answer.upper_bound is not None
    assert answer.upper_bound >= answer.newly_covered
    if answer.method == "greedy":
        assert answer.chosen == quick.chosen
        assert answer.note


def test_an_instance_over_the_cap_keeps_the_greedy_and_says_why():
    instance = random_problem(11, n_demand=200, n_candidates=30)
    answer = solve(instance, max_exact_nonzeros=10)

    assert answer.method == "greedy"
    assert answer.chosen == greedy(instance).chosen
    assert answer.note.startswith("instance too large for the exact solver (")
    assert "> 10)" in answer.note


def test_not_asking_for_the_exact_solver_gives_the_greedy():
    answer = solve(GREEDY_TRAP, exact=False)

    assert (answer.method, answer.newly_covered, answer.optimal) == ("greedy", 5.0, False)


def test_a_greedy_that_covers_everyone_is_optimal_without_the_program():
    instance = problem(rows=[[0], [0, 1], [1]], weight=[1, 2, 3], candidates=3, p=2)
    answer, quick = solve(instance), greedy(instance)

    assert (answer.method, answer.optimal, answer.newly_covered) == ("exact", True, 6.0)
    assert answer.note == "the greedy answer is optimal: it reaches the upper bound"
    assert (quick.method, quick.optimal) == ("greedy", True)
    assert answer.chosen == quick.chosen == (1, 0)
    assert answer.upper_bound == 6.0


def test_sites_that_would_add_nobody_are_left_out_and_the_note_says_so():
    instance = problem(rows=[[0], [0]], weight=[1, 1], candidates=4, p=3)
    answer = solve(instance)

    assert answer.chosen == (0,)
    assert "only 1 of the 3 sites" in answer.note


def test_ties_go_to_the_lowest_column_and_answers_repeat():
    tie = problem(rows=[[0, 1, 2]], weight=[4], candidates=3, p=1)
    assert greedy(tie).chosen == (0,)

    instance = random_problem(5, n_demand=500, n_candidates=80)
    first, second = solve(instance), solve(instance)
    assert (first.chosen, first.gains, first.method) == (second.chosen, second.gains, second.method)
    assert greedy(instance).chosen == greedy(instance).chosen


@pytest.mark.parametrize("p", [0, -1, 4, 2.5, True])
def test_p_outside_one_to_the_candidate_count_is_refused(p):
    instance = CoveringProblem(GREEDY_TRAP.weight, GREEDY_TRAP.reach, p)

    with pytest.raises(BadRequest) as refused:
        solve(instance)

    assert refused.value.message.startswith(f"p: got {p!r}, expected")
    assert "3" in refused.value.message
    assert refused.value.code == "invalid_parameter"
    assert refused.value.status == 400


def test_weights_that_do_not_match_the_matrix_are_refused():
    instance = CoveringProblem(np.array([1.0, -2.0, 3, 4, 5, 6]), GREEDY_TRAP.reach, 1)

    with pytest.raises(BadRequest, match=r"^weight: got"):
        greedy(instance)


@pytest.mark.slow
def test_the_objective_equals_spopts_mclp():
    pulp = pytest.importorskip("pulp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        locate = pytest.importorskip("spopt.locate")
    rng = np.random.default_rng(2026)
    reach = rng.random((300, 100)) < 0.04
    weight = rng.integers(1, 100, size=300).astype(float)
    ours = solve(CoveringProblem(weight, sp.csr_array(reach), 8), time_limit_s=60)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = locate.MCLP.from_cost_matrix(
            np.where(reach, 0.0, 2.0), weight, service_radius=1.0, p_facilities=8
        )
        theirs.solve(pulp.HiGHS(msg=False, gapRel=1e-9))

    assert ours.optimal
    assert ours.newly_covered == pytest.approx(pulp.value(theirs.problem.objective))


@pytest.mark.parametrize("seed", range(20))
def test_the_bound_without_the_program_is_still_a_bound_and_no_looser(seed):
    instance = random_problem(100 + seed, n_demand=80, n_candidates=14)
    quick, bounded = greedy(instance), solve(instance, exact=False)

    assert bounded.chosen == quick.chosen
    assert bounded.upper_bound is not None and quick.upper_bound is not None
    assert brute_force(instance) - 1e-6 <= bounded.upper_bound <= quick.upper_bound
