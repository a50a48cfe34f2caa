"""Where p new stations would reach the most people: the maximal covering location problem.

The existing stations are fixed, so the caller passes only the demand they leave
uncovered: a weight per demand point and a sparse boolean ``reach`` matrix saying which
candidate site would cover which point. Nothing here knows about cells, stations or the
store; it is numpy, scipy.sparse and HiGHS.

Two solvers, one answer:

- :func:`greedy` adds, p times, the candidate that newly covers the most people, with lazy
  evaluation (CELF: a candidate's gain can only shrink, so a stale gain is an upper bound
  and most candidates are never looked at again). Coverage is monotone submodular, so the
  greedy is never below (1 - 1/e) of the optimum; on sparse covering instances it is
  usually within a fraction of a percent.
- :func:`solve` starts from the greedy and then asks HiGHS for the exact integer program
  on the (merged) sparse matrix, with the greedy as its starting solution and a time limit.
  HiGHS can run out of time, find nothing, or stop with an incumbent worse than the
  greedy's on heavily overlapping instances; whatever happens, the answer is never worse
  than the greedy's, the call never outlives its limit by more than a short grace, and
  the best proven upper bound is reported so a planner knows how far from optimal the
  answer can be.

The bound is the tightest of three: the greedy's submodular bound (free, but loose: 15-25%
above the optimum on clustered instances), a Lagrangian bound that approaches the LP
relaxation's value with one sparse product per step (within 1-4% of the greedy in a
fraction of a second at county size, ~1.6% in 5 s at province size), and HiGHS's own dual
bound when it runs.
"""

from __future__ import annotations

import heapq
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from stationmap.errors import BadRequest

MAX_EXACT_NONZEROS = 600_000
"""Above this many nonzeros in the merged reach matrix :func:`solve` skips the integer
program and keeps the greedy. Measured with ``scripts/bench_siting.py --threshold`` on
clustered instances on the 2-core machine, 10 s limit, presolve off: with ~20 candidates
per demand point HiGHS proved the optimum up to 623k nonzeros (5.8 s) and no longer
finished at 864k; with ~60 per point (heavy overlap) it finished at 309k (7.1 s) but not
at 471k, where the time limit still holds and the greedy is kept. Beyond ~600k it
finished at no overlap measured, so trying would only hold the request for the limit."""

WATCHDOG_GRACE_S = 2.0
"""How long past its own time limit HiGHS may run before it is told to stop (it checks its
limit between steps; one long step, such as presolve of a huge model, can overrun it)."""

LAGRANGE_STEPS = 300
"""At most this many subgradient steps tighten the bound (see :func:`_lagrangian_bound`)."""

MIP_REL_GAP = 1e-6
"""Relative gap at which HiGHS calls a solution optimal (its default, 1e-4, would accept
100 people short of the optimum on a million)."""

_PRESOLVE = "off"
"""HiGHS's presolve, switched off. On heavily overlapping instances (5,000 to 10,000 demand
points seeing ~60 candidates each) it ran 35 to 48 s past a 10 s time limit, deaf to the
limit and to an interrupt; without it HiGHS keeps to its limit, and on the clustered
instances of scripts/bench_siting.py it also proved optimality 2 to 5 times faster."""

_SAME = 1e-9
"""Relative tolerance below which two objectives count as equal."""


@dataclass(frozen=True)
class CoveringProblem:
    """One siting question: which p candidates cover the most of the uncovered demand."""

    weight: np.ndarray
    """(n_demand,) float64 >= 0: people at each uncovered demand point."""
    reach: sp.csr_array
    """(n_demand, n_candidates) bool: ``reach[i, j]`` when candidate j covers demand i."""
    p: int
    """How many sites to choose."""


@dataclass(frozen=True)
class Siting:
    """The chosen sites, what they cover, and how far from optimal that can be."""

    method: str
    """"exact" when the exact solver was asked and the answer is proven optimal (by HiGHS,
    or by a bound the greedy reaches, which needs no program), "greedy" otherwise."""
    chosen: tuple[int, ...]
    """Candidate columns, largest marginal gain first (greedy order). Sites that would cover
    nobody new are left out, so this may be shorter than p (the note says so)."""
    gains: tuple[float, ...]
    """People each chosen site newly covers, in that order (sums to ``newly_covered``)."""
    newly_covered: float
    """People the chosen sites cover together."""
    upper_bound: float | None
    """A proven upper bound on the optimum: the tightest of HiGHS's dual bound, the
    submodular bound from the greedy's steps, and the total demand."""
    optimal: bool
    """True when the answer is proven optimal (within a relative gap of 1e-6)."""
    note: str
    """Plain words on how the answer was reached (why the greedy was kept, for instance)."""
    demand_points: int
    """Demand points the solvers saw: weighted, reachable, merged by candidate set."""
    candidates: int
    """Candidates that reach at least one of those demand points (the others cannot help)."""
    seconds: float
    """Wall time of the whole call."""


@dataclass(frozen=True)
class _Instance:
    """The problem as the solvers see it: merged demand, both sparse layouts."""

    weight: np.ndarray
    rows: sp.csr_array
    columns: sp.csc_array
    by_candidate: sp.csr_array
    """(n_candidates, n_demand) float64: ``by_candidate @ v`` sums v over each candidate's
    demand in one pass (a boolean matrix would be converted on every product)."""
    p: int

    @property
    def total(self) -> float:
        return float(self.weight.sum())


@dataclass(frozen=True)
class _Pick:
    """Sites in greedy order with their gains, and the best bound known for the optimum."""

    chosen: tuple[int, ...]
    gains: tuple[float, ...]
    bound: float

    @property
    def value(self) -> float:
        return math.fsum(self.gains)


def greedy(problem: CoveringProblem) -> Siting:
    """The lazy greedy's answer (CELF), with the submodular upper bound.

    Ties between equal gains go to the lowest column, so the answer is deterministic.
    """
    started = time.perf_counter()
    instance = _prepared(problem)
    pick = _lazy_greedy(instance)
    note = _greedy_note(instance, pick, "exact solver not asked")
    return _answer("greedy", pick, pick.bound, instance, note, started)


def solve(
    problem: CoveringProblem,
    *,
    exact: bool = True,
    time_limit_s: float = 10.0,
    max_exact_nonzeros: int = MAX_EXACT_NONZEROS,
    threads: int = 1,
) -> Siting:
    """The best sites we can find and prove within ``time_limit_s``: never worse than the greedy.

    The greedy runs first and is the incumbent. Unless it is already proven optimal, the
    instance is small enough (``max_exact_nonzeros``) and ``exact`` is set, HiGHS then solves
    the integer program starting from it. HiGHS's sites are taken only when they cover more
    people; when it proves the greedy's sites optimal, those are kept and called exact.
    """
    started = time.perf_counter()
    instance = _prepared(problem)
    pick = _lazy_greedy(instance)
    skip = not exact or instance.rows.nnz > max_exact_nonzeros
    pick = _lagrangian_bound(instance, pick, time_limit_s * (0.5 if skip else 0.1))
    reason = _why_not_exact(instance, pick, exact, max_exact_nonzeros)
    if reason:
        method = "exact" if exact and _optimal_words(pick) else "greedy"
        note = _greedy_note(instance, pick, reason)
        return _answer(method, pick, pick.bound, instance, note, started)
    left = max(time_limit_s - (time.perf_counter() - started), 1e-3)
    return _exact_or_greedy(instance, pick, left, threads, started)


def _why_not_exact(instance: _Instance, pick: _Pick, exact: bool, max_nonzeros: int) -> str:
    """Why the integer program is skipped ("" when it should run)."""
    if not exact:
        return "exact solver not asked"
    if _optimal_words(pick):
        return "nothing to improve"  # _greedy_note says it is optimal instead
    nonzeros = instance.rows.nnz
    if nonzeros > max_nonzeros:
        return (
            f"instance too large for the exact solver ({nonzeros:,} nonzeros > "
            f"{max_nonzeros:,}); greedy answer kept"
        )
    return ""


def _greedy_note(instance: _Instance, pick: _Pick, reason: str) -> str:
    """The note of a greedy answer: optimal or not, why, and how many sites help."""
    parts = [_optimal_words(pick) or reason]
    if len(pick.chosen) < instance.p:
        parts.append(_fewer_sites(len(pick.chosen), instance.p))
    return "; ".join(p for p in parts if p)


def _optimal_words(pick: _Pick) -> str:
    """The words saying the greedy is optimal when it reaches its bound, else ""."""
    if pick.value >= pick.bound * (1 - _SAME):
        return "the greedy answer is optimal: it reaches the upper bound"
    return ""


def _fewer_sites(chosen: int, p: int) -> str:
    return f"only {chosen} of the {p} sites cover anyone new; the others would add nobody"


# --- preparing the instance ---------------------------------------------------------------


def _prepared(problem: CoveringProblem) -> _Instance:
    """Validate, drop demand nobody can reach or that weighs nothing, merge equal rows."""
    weight, reach = _validated(problem)
    keep = (weight > 0) & (np.diff(reach.indptr) > 0)
    weight, reach = weight[keep], reach[np.flatnonzero(keep)]
    weight, reach = _merged(weight, sp.csr_array(reach))
    by_candidate = sp.csr_array(reach.T.astype(np.float64))
    return _Instance(weight, reach, sp.csc_array(reach), by_candidate, problem.p)


def _validated(problem: CoveringProblem) -> tuple[np.ndarray, sp.csr_array]:
    """The weights as float64 and the reach as a canonical boolean CSR; BadRequest otherwise."""
    reach = sp.csr_array(sp.csr_array(problem.reach).astype(bool))
    reach.eliminate_zeros()
    reach.sum_duplicates()
    reach.sort_indices()
    n_demand, n_candidates = reach.shape
    p = problem.p
    if isinstance(p, bool) or not isinstance(p, int | np.integer) or not 1 <= p <= n_candidates:
        raise BadRequest(
            f"p: got {p!r}, expected a whole number from 1 to {n_candidates} "
            "(the number of candidate sites)",
            code="invalid_parameter",
            parameter="p",
        )
    weight = np.asarray(problem.weight, dtype=np.float64)
    if weight.shape != (n_demand,) or not np.all(np.isfinite(weight)) or np.any(weight < 0):
        raise BadRequest(
            f"weight: got shape {weight.shape}, expected {n_demand} finite numbers >= 0 "
            "(one per row of reach)",
            code="invalid_parameter",
            parameter="weight",
        )
    return weight, reach


def _merged(weight: np.ndarray, reach: sp.csr_array) -> tuple[np.ndarray, sp.csr_array]:
    """One row per distinct candidate set, its weight the sum of the rows that share it.

    Rows are grouped by the exact bytes of their sorted column indices, so rows merge only
    when they see exactly the same candidates; the first row of each group keeps its place.
    """
    first: dict[bytes, int] = {}
    leaders: list[int] = []
    group = np.empty(len(weight), dtype=np.int64)
    indptr, indices = reach.indptr, reach.indices
    for i in range(len(weight)):
        key = indices[indptr[i] : indptr[i + 1]].tobytes()
        number = first.setdefault(key, len(first))
        if number == len(leaders):
            leaders.append(i)
        group[i] = number
    if len(leaders) == len(weight):
        return weight, reach
    merged_weight = np.bincount(group, weights=weight, minlength=len(leaders))
    leader_rows = np.asarray(leaders, dtype=np.int64)
    return merged_weight, sp.csr_array(reach[leader_rows])


# --- the lazy greedy ----------------------------------------------------------------------


def _lazy_greedy(instance: _Instance) -> _Pick:
    """CELF: pop the best stale gain, refresh it, take it if it is still the best.

    Also tracks the submodular bound: after k steps, the optimum is at most f(S_k) plus the
    sum of the p largest marginal gains with respect to S_k; the tightest over the steps
    is kept (with the total demand, which no answer can exceed).
    """
    remaining = instance.weight.copy()
    gains = _all_gains(instance, remaining)
    heap = [(-float(g), int(j), 0) for j, g in enumerate(gains) if g > 0]
    heapq.heapify(heap)
    chosen: list[int] = []
    taken: list[float] = []
    bound = min(instance.total, _top_sum(gains, instance.p))
    while heap and len(chosen) < instance.p:
        negative, column, stamp = heapq.heappop(heap)
        if stamp == len(chosen):
            chosen.append(column)
            taken.append(-negative)
            _cover(instance, column, remaining)
            bound = min(bound, _bound_after(instance, remaining, math.fsum(taken)))
            continue
        gain = _gain(instance, column, remaining)
        if gain > 0:
            heapq.heappush(heap, (-gain, column, len(chosen)))
    return _Pick(tuple(chosen), tuple(taken), max(bound, math.fsum(taken)))


def _all_gains(instance: _Instance, remaining: np.ndarray) -> np.ndarray:
    """People each candidate would newly cover, given the weight still uncovered."""
    return np.asarray(instance.by_candidate @ remaining, dtype=np.float64)


def _gain(instance: _Instance, column: int, remaining: np.ndarray) -> float:
    """People candidate ``column`` would newly cover."""
    start, stop = instance.columns.indptr[column], instance.columns.indptr[column + 1]
    return float(remaining[instance.columns.indices[start:stop]].sum())


def _cover(instance: _Instance, column: int, remaining: np.ndarray) -> None:
    """Mark the demand candidate ``column`` reaches as covered."""
    start, stop = instance.columns.indptr[column], instance.columns.indptr[column + 1]
    remaining[instance.columns.indices[start:stop]] = 0.0


def _top_sum(values: np.ndarray, p: int) -> float:
    """The sum of the p largest values."""
    if len(values) <= p:
        return float(values.sum())
    return float(np.partition(values, len(values) - p)[len(values) - p :].sum())


def _bound_after(instance: _Instance, remaining: np.ndarray, covered: float) -> float:
    """The submodular bound at the current step: covered + the p largest marginal gains."""
    return covered + _top_sum(_all_gains(instance, remaining), instance.p)


def _lagrangian_bound(instance: _Instance, pick: _Pick, seconds: float) -> _Pick:
    """``pick`` with its bound tightened towards the LP bound by subgradient steps.

    Relaxing each "y_i <= sum of x_j reaching i" with a multiplier l_i >= 0 leaves
    L(l) = sum_i max(0, w_i - l_i) + (the p largest column sums of l), an upper bound on
    the optimum for every l >= 0, whose minimum is the LP relaxation's value (the relaxed
    problem has integral solutions). l = w gives the p-largest-gains bound; each step is one
    sparse product, so this reaches near the LP bound on instances far too large for the
    LP itself. Polyak steps towards the greedy's value; stops at ``seconds``, after
    :data:`LAGRANGE_STEPS` steps, or when the bound proves the greedy optimal.
    """
    deadline = time.perf_counter() + seconds
    weight, best, theta, stalls = instance.weight, pick.bound, 2.0, 0
    multipliers = weight.copy()
    for _ in range(LAGRANGE_STEPS):
        sums = np.asarray(instance.by_candidate @ multipliers, dtype=np.float64)
        top = _top_columns(sums, instance.p)
        value = float(np.maximum(weight - multipliers, 0).sum() + sums[top].sum())
        best, stalls = (value, 0) if value < best else (best, stalls + 1)
        theta = theta / 2 if stalls and stalls % 5 == 0 else theta
        if best <= pick.value * (1 + _SAME) or time.perf_counter() > deadline:
            break
        slope = _times_covered(instance, top) - (weight > multipliers)
        norm = float(slope @ slope)
        if norm == 0:
            break
        step = theta * (value - pick.value) / norm
        multipliers = np.maximum(multipliers - step * slope, 0.0)
    return _Pick(pick.chosen, pick.gains, max(min(best, pick.bound), pick.value))


def _top_columns(values: np.ndarray, p: int) -> np.ndarray:
    """Indexes of the p largest values (all of them when there are no more than p)."""
    if len(values) <= p:
        return np.arange(len(values))
    return np.argpartition(values, len(values) - p)[len(values) - p :]


def _times_covered(instance: _Instance, columns: np.ndarray) -> np.ndarray:
    """For each demand point, how many of ``columns`` reach it."""
    indptr, indices = instance.columns.indptr, instance.columns.indices
    hits = [indices[indptr[j] : indptr[j + 1]] for j in columns]
    flat = np.concatenate(hits) if hits else np.empty(0, dtype=np.int64)
    return np.bincount(flat, minlength=len(instance.weight)).astype(np.float64)


def _ordered(
    instance: _Instance, sites: Sequence[int]
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """``sites`` in greedy order with their marginal gains; sites adding nobody dropped."""
    remaining = instance.weight.copy()
    left = sorted(sites)
    chosen: list[int] = []
    gains: list[float] = []
    while left:
        best = max(left, key=lambda j: (_gain(instance, j, remaining), -j))
        gain = _gain(instance, best, remaining)
        if gain <= 0:
            break
        chosen.append(best)
        gains.append(gain)
        left.remove(best)
        _cover(instance, best, remaining)
    return tuple(chosen), tuple(gains)


# --- the exact integer program ------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """What HiGHS left behind: its sites (if any), its bound, and its status in words."""

    sites: tuple[int, ...] | None
    bound: float | None
    proven: bool
    status: str


def _exact_or_greedy(
    instance: _Instance, pick: _Pick, time_limit_s: float, threads: int, started: float
) -> Siting:
    """Run HiGHS from the greedy and keep whichever answer is better (the greedy on a tie
    unless HiGHS proved it optimal)."""
    outcome = _run_highs(instance, pick, time_limit_s, threads)
    bound = _tightest(pick, outcome.bound)
    if outcome.sites is not None:
        chosen, gains = _ordered(instance, outcome.sites)
        value = math.fsum(gains)
        if value > pick.value * (1 + _SAME):
            exact = _Pick(chosen, gains, max(bound, value))
            note = "HiGHS proved this optimal" if outcome.proven else _improved(outcome, pick)
            return _answer("exact", exact, exact.bound, instance, note, started, outcome.proven)
        if outcome.proven and value >= pick.value * (1 - _SAME):
            note = "HiGHS proved the greedy answer optimal"
            return _answer("exact", pick, max(bound, pick.value), instance, note, started, True)
    note = _kept_greedy(outcome, time_limit_s)
    kept = _Pick(pick.chosen, pick.gains, max(bound, pick.value))
    return _answer("greedy", kept, kept.bound, instance, note, started)


def _tightest(pick: _Pick, highs_bound: float | None) -> float:
    """The lower of the greedy's bound and HiGHS's, unless HiGHS's is below an answer we
    hold (then it is wrong, and not trusted)."""
    if highs_bound is None or highs_bound < pick.value * (1 - _SAME):
        return pick.bound
    return min(pick.bound, highs_bound)


def _improved(outcome: _Outcome, pick: _Pick) -> str:
    return f"{outcome.status}; HiGHS improved on the greedy ({pick.value:,.0f} people)"


def _kept_greedy(outcome: _Outcome, time_limit_s: float) -> str:
    """Why the greedy answer was kept after HiGHS ran."""
    if outcome.status == "time limit":
        return f"time limit {time_limit_s:g} s reached; HiGHS had no better solution"
    return f"HiGHS stopped ({outcome.status}) with no better solution; greedy answer kept"


def _run_highs(instance: _Instance, pick: _Pick, time_limit_s: float, threads: int) -> _Outcome:
    """Solve max Σ w_i y_i, y_i ≤ Σ_{j∈N(i)} x_j, Σ x_j ≤ p, x binary, 0 ≤ y ≤ 1.

    Only candidates that reach some demand become columns. The greedy is the starting
    solution. The solve runs on HiGHS's own thread so that a watchdog can interrupt it if
    it overruns its time limit by more than :data:`WATCHDOG_GRACE_S`.
    """
    useful = np.flatnonzero(np.diff(instance.columns.indptr) > 0)
    highs = _highs(time_limit_s, threads)
    try:
        highs.passModel(_model(instance, useful))
        highs.setSolution(_start(instance, useful, pick))
        if not _waited(highs, time_limit_s):
            return _Outcome(None, None, False, "watchdog stopped it")
        return _outcome(highs, instance, useful)
    except Exception as error:  # a solver failure must fall back to the greedy, not a 500
        return _Outcome(None, None, False, f"error: {type(error).__name__}")


def _highs(time_limit_s: float, threads: int) -> highspy.Highs:
    """A quiet HiGHS with our limits."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", max(float(time_limit_s), 1e-3))
    highs.setOptionValue("threads", int(threads))
    highs.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    highs.setOptionValue("presolve", _PRESOLVE)
    highs.HandleUserInterrupt = True
    return highs


def _waited(highs: highspy.Highs, time_limit_s: float) -> bool:
    """Run the solve; False when it was still running after the watchdog's interrupt.

    Our own thread, not highspy's ``startSolve``: that one keeps its locks on the class, so
    two requests solving at once in one process would trip over each other. HiGHS releases
    the GIL while it runs; ``cancelSolve`` raises the flag its interrupt callbacks check.
    If HiGHS heeds neither its limit nor the interrupt (a step that checks neither), the
    call still returns after twice the grace, and the thread ends when HiGHS does.
    """
    worker = threading.Thread(target=highs.run, name="highs", daemon=True)
    worker.start()
    worker.join(time_limit_s + WATCHDOG_GRACE_S)
    if worker.is_alive():
        highs.cancelSolve()
        worker.join(WATCHDOG_GRACE_S)
    return not worker.is_alive()


def _model(instance: _Instance, useful: np.ndarray) -> highspy.HighsLp:
    """The integer program as a column-wise HighsLp: x for the useful candidates, then y."""
    n_x, n_y = len(useful), len(instance.weight)
    reach = instance.columns[:, useful]
    budget = sp.csc_array(np.ones((1, n_x)))
    matrix = sp.csc_array(
        sp.block_array(
            [[-reach.astype(np.float64), sp.eye_array(n_y, format="csc")], [budget, None]],
            format="csc",
        )
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_x + n_y, n_y + 1
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(n_x), instance.weight])
    lp.col_lower_ = np.zeros(n_x + n_y)
    lp.col_upper_ = np.ones(n_x + n_y)
    lp.row_lower_ = np.full(n_y + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(n_y), [float(instance.p)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_x + [
        highspy.HighsVarType.kContinuous
    ] * n_y
    return lp


def _start(instance: _Instance, useful: np.ndarray, pick: _Pick) -> highspy.HighsSolution:
    """The greedy answer as a full HiGHS solution (x for its sites, y for what they cover)."""
    x = np.isin(useful, np.asarray(pick.chosen, dtype=np.int64)).astype(np.float64)
    y = (instance.columns[:, useful] @ x > 0).astype(np.float64)
    solution = highspy.HighsSolution()
    solution.col_value = np.concatenate([x, y]).tolist()
    solution.value_valid = True
    return solution


def _outcome(highs: highspy.Highs, instance: _Instance, useful: np.ndarray) -> _Outcome:
    """Read HiGHS's sites, dual bound and status after a solve."""
    status = highs.getModelStatus()
    info = highs.getInfo()
    bound = float(info.mip_dual_bound)
    bound_or_none = bound if math.isfinite(bound) else None
    words = _STATUS_WORDS.get(status, highs.modelStatusToString(status).lower())
    if info.primal_solution_status != 2:  # 2: a feasible solution exists
        return _Outcome(None, bound_or_none, False, words)
    x = np.asarray(highs.getSolution().col_value[: len(useful)])
    order = np.lexsort((useful, -x))
    sites = [int(useful[k]) for k in order[: instance.p] if x[k] > 0.5]
    proven = status == highspy.HighsModelStatus.kOptimal
    return _Outcome(tuple(sites), bound_or_none, proven, words)


_STATUS_WORDS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kTimeLimit: "time limit",
    highspy.HighsModelStatus.kInterrupt: "interrupted",
}


def _answer(
    method: str,
    pick: _Pick,
    bound: float,
    instance: _Instance,
    note: str,
    started: float,
    proven: bool = False,
) -> Siting:
    """The public answer; a greedy reaching its bound counts as optimal."""
    optimal = proven or pick.value >= bound * (1 - _SAME)
    return Siting(
        method=method,
        chosen=pick.chosen,
        gains=pick.gains,
        newly_covered=pick.value,
        upper_bound=max(bound, pick.value),
        optimal=optimal,
        note=note,
        demand_points=len(instance.weight),
        candidates=int(np.count_nonzero(np.diff(instance.columns.indptr))),
        seconds=time.perf_counter() - started,
    )
