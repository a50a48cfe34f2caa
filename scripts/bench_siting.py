"""Benchmark of the site proposals' solver (stationmap.coverage.siting) on clustered instances.

Random clustered instances shaped like the real ones (demand and candidates are points in
population clusters; a candidate covers the demand within the catchment radius, each
demand point seeing about ``--neighbours`` candidates):

- county size (5,000 demand x 5,000 candidates, p = 10): our greedy and exact solver against
  spopt's ``MCLP`` solved by HiGHS through PuLP (spopt builds a dense matrix, so county only);
- province size (200,000 x 200,000, p = 50): our greedy and ``solve`` (which skips the
  exact solver above ``MAX_EXACT_NONZEROS``), the bound and the gap;
- ``--threshold``: the exact solver alone on growing instances, to see where it stops
  finishing within the time limit (this sets ``MAX_EXACT_NONZEROS``).

Times are printed with ratios against baselines measured in the same run, never against
fixed numbers. ``spopt_objective`` is a function so scripts/bench_coverage.py can call it
with real cells.

    .venv/bin/python scripts/bench_siting.py [--seed 1] [--neighbours 10] [--threshold]
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from stationmap.coverage.siting import (
    MAX_EXACT_NONZEROS,
    MIP_REL_GAP,
    CoveringProblem,
    Siting,
    greedy,
    solve,
)

RADIUS_M = 1_000.0


@dataclass(frozen=True)
class Solved:
    """One solver's objective and wall time."""

    objective: float
    seconds: float


def clustered_instance(
    n_demand: int, n_candidates: int, p: int, *, neighbours: float = 10.0, seed: int = 1
) -> CoveringProblem:
    """Demand and candidates scattered around shared population clusters.

    The square's side is chosen so a demand point sees about ``neighbours`` candidates on
    average within RADIUS_M (more in the cluster cores, fewer at their edges); weights are
    heavy-tailed like cell populations.
    """
    rng = np.random.default_rng(seed)
    side = np.sqrt(n_candidates * np.pi * RADIUS_M**2 / neighbours)
    centres = rng.uniform(0, side, size=(max(n_candidates // 200, 1), 2))
    spread = side / np.sqrt(len(centres)) / 4
    demand = _around(rng, centres, spread, n_demand)
    candidates = _around(rng, centres, spread, n_candidates)
    reach = cKDTree(demand).sparse_distance_matrix(
        cKDTree(candidates), RADIUS_M, output_type="coo_matrix"
    )
    matrix = sp.csr_array((np.ones(reach.nnz, dtype=bool), (reach.row, reach.col)), reach.shape)
    weight = np.round(rng.lognormal(mean=5.0, sigma=1.2, size=n_demand))
    return CoveringProblem(weight=weight, reach=matrix, p=p)


def _around(rng: np.random.Generator, centres: np.ndarray, spread: float, n: int) -> np.ndarray:
    """n points, each near a random cluster centre (Gaussian, ``spread`` metres)."""
    which = rng.integers(0, len(centres), size=n)
    return centres[which] + rng.normal(0, spread, size=(n, 2))


def spopt_objective(
    weight: np.ndarray, reach: sp.csr_array, p: int, time_limit_s: float = 60.0
) -> Solved:
    """spopt's ``MCLP`` on the same instance (HiGHS through PuLP, passed explicitly).

    spopt takes a dense cost matrix: 0 where a candidate covers the demand, 2 elsewhere,
    with a service radius of 1. The time includes building its model (most of it).
    """
    import pulp
    from spopt.locate import MCLP

    started = time.perf_counter()
    cost = np.where(reach.toarray(), 0.0, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MCLP.from_cost_matrix(cost, weight, service_radius=1.0, p_facilities=p)
        model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit_s, threads=1, gapRel=MIP_REL_GAP))
    objective = float(pulp.value(model.problem.objective))
    return Solved(objective, time.perf_counter() - started)


def _line(label: str, siting: Siting) -> str:
    bound = siting.upper_bound or float("nan")
    gap = (bound - siting.newly_covered) / bound if bound else 0.0
    return (
        f"  {label:<16} {siting.seconds:8.2f} s  objective {siting.newly_covered:14,.0f}  "
        f"bound {bound:14,.0f}  gap {gap:7.3%}  method {siting.method:<6} "
        f"optimal {siting.optimal!s:<5} ({siting.note})"
    )


def _describe(name: str, problem: CoveringProblem) -> None:
    n_demand, n_candidates = problem.reach.shape
    print(
        f"{name}: {n_demand:,} demand x {n_candidates:,} candidates, p = {problem.p}, "
        f"{problem.reach.nnz:,} nonzeros"
    )


def county(seed: int, neighbours: float, time_limit_s: float, with_spopt: bool) -> None:
    """County size: greedy, exact and spopt side by side."""
    problem = clustered_instance(5_000, 5_000, 10, neighbours=neighbours, seed=seed)
    _describe("county", problem)
    quick = greedy(problem)
    best = solve(problem, time_limit_s=time_limit_s)
    print(f"  merged demand points: {best.demand_points:,}, useful candidates {best.candidates:,}")
    print(_line("greedy", quick))
    print(_line("greedy + exact", best))
    if not with_spopt:
        return
    theirs = spopt_objective(problem.weight, problem.reach, problem.p, time_limit_s=60.0)
    print(f"  {'spopt MCLP':<16} {theirs.seconds:8.2f} s  objective {theirs.objective:14,.0f}")
    print(
        f"  ratios: greedy/exact objective {quick.newly_covered / best.newly_covered:.5f}, "
        f"exact/spopt objective {best.newly_covered / theirs.objective:.6f}, "
        f"exact time / spopt time {best.seconds / theirs.seconds:.3f}, "
        f"greedy time / spopt time {quick.seconds / theirs.seconds:.2g}"
    )


def province(seed: int, neighbours: float, time_limit_s: float) -> None:
    """Province size: the greedy, and solve() (which skips the exact solver above the cap)."""
    started = time.perf_counter()
    problem = clustered_instance(200_000, 200_000, 50, neighbours=neighbours, seed=seed)
    built = time.perf_counter() - started
    _describe("province", problem)
    print(f"  building the instance (KD-tree reach, baseline): {built:.2f} s")
    quick = greedy(problem)
    print(_line("greedy", quick))
    print(f"  greedy time / instance build time: {quick.seconds / built:.3f}")
    best = solve(problem, time_limit_s=time_limit_s)
    print(_line("solve()", best))
    forced = solve(problem, time_limit_s=time_limit_s, max_exact_nonzeros=10**12)
    print(_line("exact forced", forced))


THRESHOLD_SIZES = (2_000, 5_000, 10_000, 20_000, 40_000, 80_000)


def threshold(seed: int, neighbours: float, time_limit_s: float, sizes: list[int]) -> None:
    """The exact solver alone on growing instances: where does it stop proving optimality?"""
    for n in sizes:
        p = 10 if n <= 10_000 else 25
        problem = clustered_instance(n, n, p, neighbours=neighbours, seed=seed)
        result = solve(problem, time_limit_s=time_limit_s, max_exact_nonzeros=10**12)
        quick = greedy(problem)
        print(
            f"n {n:>7,}  p {p:>3}  nonzeros {problem.reach.nnz:>10,}  merged rows "
            f"{result.demand_points:>7,}  exact {result.seconds:6.2f} s  {result.method:<6} "
            f"optimal {result.optimal!s:<5}  "
            f"greedy/exact {quick.newly_covered / result.newly_covered:.5f}"
            f"  ({result.note})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--neighbours", type=float, default=10.0)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--threshold", action="store_true", help="measure MAX_EXACT_NONZEROS")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(THRESHOLD_SIZES))
    parser.add_argument("--skip-province", action="store_true")
    parser.add_argument("--skip-spopt", action="store_true", help="spopt takes minutes")
    args = parser.parse_args()
    print(f"MAX_EXACT_NONZEROS = {MAX_EXACT_NONZEROS:,}; time limit {args.time_limit:g} s")
    if args.threshold:
        threshold(args.seed, args.neighbours, args.time_limit, args.sizes)
        return
    county(args.seed, args.neighbours, args.time_limit, not args.skip_spopt)
    if not args.skip_province:
        province(args.seed, args.neighbours, args.time_limit)


if __name__ == "__main__":
    main()
