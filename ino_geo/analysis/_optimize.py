"""Location models on sparse data: exact MILP with HiGHS, lazy greedy with its bounds.

* maximise ``f(S) = sum_i max_{j in S} v_ij`` over ``|S| = p`` sites (``v_ij >= 0`` sparse):
  the maximal covering location problem (MCLP, ``v_ij = people of demand i`` when j covers i)
  and the p-median problem written as savings against each demand's baseline cost
  (``v_ij = people_i * (baseline_i - cost_ij)``);
* minimise the number of sites covering every demand row (LSCP) or a target number of people.

The MILP is solved by HiGHS (``highspy``) under a time limit, started from the greedy answer
(so a time limit always leaves a solution, with its gap). The greedy is the lazy (CELF)
greedy; ``f`` is monotone submodular, so it reaches at least ``1 - 1/e`` (63.2 %) of the
optimum, and the data-dependent bound ``f(S) + sum of the p largest gains from S`` (Nemhauser,
Wolsey & Fisher 1978) is reported with it. The greedy set cover uses at most ``H(d)`` times
the fewest sites (``d`` the largest number of rows one site covers).
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Solution", "greedy_max", "greedy_cover", "solve_max", "solve_cover"]


@dataclass
class Solution:
    """A set of chosen columns (sites) and how it was reached.

    Attributes
    ----------
    chosen : ndarray of int
        The columns chosen (greedy: in the order picked).
    value : float
        Objective value (people covered, savings, or number of sites).
    bound : float
        Best bound on the optimum (upper for a maximum, lower for a minimum).
    gap : float
        ``|bound - value| / |bound|`` (0 when proven optimal).
    how : str
        ``"exact"`` (proven optimal), ``"time-limit"`` (best found when the limit hit; gap
        stated) or ``"greedy"``.
    note : str
        One sentence on the solution quality.
    seconds : float
    """

    chosen: np.ndarray
    value: float
    bound: float
    gap: float
    how: str
    note: str
    seconds: float = 0.0


def _rel_gap(value: float, bound: float) -> float:
    if not math.isfinite(bound):
        return float("inf")
    den = max(abs(bound), abs(value))
    return 0.0 if den == 0 else abs(bound - value) / den


# --------------------------------------------------------------------------------------------
# greedy


def greedy_max(V, p: int) -> Solution:
    """Lazy greedy for ``max sum_i max_{j in S} v_ij``, ``|S| = p``; `V` a CSC matrix rows x cols.

    Examples
    --------
    >>> from scipy.sparse import csc_matrix
    >>> V = csc_matrix(np.array([[5.0, 5.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 4.0]]))
    >>> s = greedy_max(V, 2)
    >>> s.chosen.tolist(), s.value
    ([1, 2], 12.0)
    """
    t0 = time.perf_counter()
    V = V.tocsc()
    n, m = V.shape
    cur = np.zeros(n)
    ind, ptr, val = V.indices, V.indptr, V.data

    def gain(j):
        r = ind[ptr[j]:ptr[j + 1]]
        return float(np.maximum(val[ptr[j]:ptr[j + 1]] - cur[r], 0.0).sum())

    heap = [(-gain(j), j, 0) for j in range(m)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < p and heap:
        g, j, it = heapq.heappop(heap)
        if it == len(chosen):
            chosen.append(j)
            r = ind[ptr[j]:ptr[j + 1]]
            cur[r] = np.maximum(cur[r], val[ptr[j]:ptr[j + 1]])
        else:
            heapq.heappush(heap, (-gain(j), j, len(chosen)))
    value = float(cur.sum())
    taken = set(chosen)
    rest = sorted((gain(j) for j in range(m) if j not in taken), reverse=True)[:p]
    bound = value + float(sum(rest))
    gap = _rel_gap(value, bound)
    note = (f"lazy greedy: at least {100 * (1 - 1 / math.e):.1f} % of the optimum (1 - 1/e), and by the "
            f"data-dependent bound within {100 * gap:.2f} % of it")
    return Solution(np.asarray(chosen, dtype=np.int64), value, bound, gap, "greedy", note, time.perf_counter() - t0)


def greedy_cover(A, weights: np.ndarray, need: float) -> Solution:
    """Greedy: add the site covering the most still-uncovered weight until `need` is covered.

    `A` CSC boolean rows x cols; rows reached by no column cannot count. With unit weights and
    ``need = rows`` this is the classic set-cover greedy (at most ``H(d)`` times the optimum).
    """
    t0 = time.perf_counter()
    A = A.tocsc()
    n, m = A.shape
    covered = np.zeros(n, dtype=bool)
    ind, ptr = A.indices, A.indptr

    def gain(j):
        r = ind[ptr[j]:ptr[j + 1]]
        return float(weights[r][~covered[r]].sum())

    heap = [(-gain(j), j, 0) for j in range(m)]
    heapq.heapify(heap)
    chosen: list[int] = []
    got = 0.0
    while got < need * (1 - 1e-12) and heap:
        g, j, it = heapq.heappop(heap)
        if it == len(chosen):
            if g == 0:
                break
            chosen.append(j)
            r = ind[ptr[j]:ptr[j + 1]]
            covered[r] = True
            got = float(weights[covered].sum())
        else:
            heapq.heappush(heap, (-gain(j), j, len(chosen)))
    d = int(np.diff(ptr).max()) if m else 0
    h = sum(1.0 / k for k in range(1, d + 1)) if d else 1.0
    lower = max(1, math.ceil(len(chosen) / h)) if chosen else 0
    note = f"greedy set cover: at most H({d}) = {h:.2f} times the fewest sites"
    return Solution(np.asarray(chosen, dtype=np.int64), float(len(chosen)), float(lower),
                    _rel_gap(len(chosen), lower), "greedy", note, time.perf_counter() - t0)


# --------------------------------------------------------------------------------------------
# MILP


def _highs(time_limit: float):
    """A silent HiGHS instance (the banner it prints on creation goes to /dev/null)."""
    import ctypes
    import os
    import sys

    try:
        import highspy
    except ImportError:  # pragma: no cover - a declared dependency
        from ino_geo._errors import InoGeoError

        raise InoGeoError("the exact solve needs the highspy package (pip install highspy), "
                          "or use solver='greedy' (--solver greedy)") from None

    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        try:
            ctypes.CDLL(None).fflush(None)
        except (OSError, AttributeError):  # pragma: no cover - no C library handle
            pass
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("threads", 1)
    return h


def _run(cost, lower, upper, integer, A, row_lower, row_upper, maximize, time_limit, start):
    """Solve ``opt cost.x  s.t. row_lower <= A x <= row_upper, lower <= x <= upper``."""
    import highspy

    A = A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in integer]
    h = _highs(time_limit)
    h.passModel(lp)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value) if info.primal_solution_status else None
    return status, x, float(info.objective_function_value), float(info.mip_dual_bound)


def _finish(status, x, value, bound, ncols, greedy: Solution, maximize: bool, t0: float, extract) -> Solution:
    import highspy

    optimal = status == highspy.HighsModelStatus.kOptimal
    if x is None or not np.isfinite(value) or (maximize and value < greedy.value - 1e-9) or (
            not maximize and value > greedy.value + 1e-9):
        # no better incumbent than the start: keep the greedy answer, with the solver's bound
        chosen, value = greedy.chosen, greedy.value
    else:
        chosen = extract(x)
    if optimal:
        bound = value
    elif maximize:  # both are valid bounds: keep the tighter (HiGHS may stop before its first bound)
        bound = min(bound, greedy.bound) if math.isfinite(bound) else greedy.bound
    else:
        bound = max(bound, greedy.bound) if math.isfinite(bound) else greedy.bound
    gap = _rel_gap(value, bound)
    if optimal or gap <= 1e-9:
        how, note = "exact", "exact: proven optimal by the MILP solver (HiGHS)"
    else:
        how = "time-limit"
        note = f"time limit hit: best solution found, within {100 * gap:.2f} % of the optimum (best bound)"
    return Solution(np.sort(chosen), float(value), float(bound), gap, how, note, time.perf_counter() - t0)


def solve_max(V, p: int, *, time_limit: float, covering: bool) -> Solution:
    """Exact ``max sum_i max_{j in S} v_ij``, ``|S| = p`` (HiGHS), started from the greedy answer.

    ``covering=True`` (every nonzero of a row equal: MCLP) uses the compact model
    ``y_i <= sum_{j covers i} x_j``; otherwise the assignment model ``z_ij <= x_j``,
    ``sum_j z_ij <= 1``.
    """

    t0 = time.perf_counter()
    V = V.tocsr()
    greedy = greedy_max(V, p)
    keep = prune_columns(V, p, greedy)
    if len(keep) <= p:  # nothing else can beat the greedy answer: it is optimal
        return Solution(np.sort(greedy.chosen), greedy.value, greedy.value, 0.0, "exact",
                        "exact: the greedy answer, proven optimal by the single-site bounds",
                        time.perf_counter() - t0)
    sub = _solve_max_model(V[:, keep], p, time_limit, covering, greedy, np.searchsorted(keep, greedy.chosen), t0)
    sub.chosen = np.sort(keep[sub.chosen])
    return sub


def prune_columns(V, p: int, greedy: Solution) -> np.ndarray:
    """Columns that may belong to a set better than `greedy` (sorted).

    ``f`` is submodular with ``f(empty) = 0``, so ``f(S) <= sum_{j in S} f({j})``: a column j
    whose single value plus the ``p - 1`` largest single values of the others does not exceed
    the greedy value cannot improve on it (an exact reduction, strong for small p).
    """
    g = np.asarray(V.sum(axis=0)).ravel()
    order = np.argsort(-g, kind="stable")
    top = g[order[:p]]
    # the p - 1 largest values of the others: the top p - 1, or the top p without j if j is among them
    others = np.full(len(g), top[:p - 1].sum())
    others[order[:p - 1]] = top.sum() - g[order[:p - 1]]
    ub = g + others
    keep = ub > greedy.value * (1 + 1e-9) + 1e-9
    keep[greedy.chosen] = True
    return np.flatnonzero(keep)


def _solve_max_model(V, p, time_limit, covering, greedy, start_cols, t0) -> Solution:
    from scipy.sparse import csc_matrix, hstack, identity, vstack

    V = V[np.flatnonzero(np.diff(V.tocsr().indptr) > 0)].tocsr()
    n, m = V.shape
    xs = np.zeros(m)
    xs[start_cols] = 1.0
    if covering:
        w = V.max(axis=1).toarray().ravel()
        B = V.copy()
        B.data[:] = 1.0
        # rows: y_i - sum_j b_ij x_j <= 0 ; sum x = p
        A = vstack([hstack([-B, identity(n, format="csr")]), hstack([csc_matrix(np.ones((1, m))), csc_matrix((1, n))])])
        cost = np.concatenate([np.zeros(m), w])
        lo, up = np.zeros(m + n), np.ones(m + n)
        integer = np.r_[np.ones(m, bool), np.zeros(n, bool)]
        rl = np.r_[np.full(n, -np.inf), p]
        ru = np.r_[np.zeros(n), p]
        start = np.r_[xs, np.minimum(1.0, B @ xs)]
    else:
        C = V.tocoo()
        k = len(C.data)
        e = np.arange(k)
        # rows: z_e - x_j <= 0 (k rows); sum_{e of i} z_e <= 1 (n rows); sum x = p
        from scipy.sparse import coo_matrix

        r = np.concatenate([e, e, k + C.row, np.full(m, k + n)])
        c = np.concatenate([m + e, C.col, m + e, np.arange(m)])
        v = np.concatenate([np.ones(k), -np.ones(k), np.ones(k), np.ones(m)])
        A = coo_matrix((v, (r, c)), shape=(k + n + 1, m + k))
        cost = np.concatenate([np.zeros(m), C.data])
        lo, up = np.zeros(m + k), np.ones(m + k)
        integer = np.r_[np.ones(m, bool), np.zeros(k, bool)]
        rl = np.r_[np.full(k + n, -np.inf), p]
        ru = np.r_[np.zeros(k), np.ones(n), p]
        best = _best_assignment(C, xs, n)
        start = np.r_[xs, best]
    status, x, value, bound = _run(cost, lo, up, integer, A, rl, ru, True, time_limit, start)
    local = Solution(np.asarray(start_cols), greedy.value, greedy.bound, greedy.gap, greedy.how, greedy.note)
    return _finish(status, x, value, bound, m, local, True, t0, lambda x: np.flatnonzero(x[:m] > 0.5))


def _best_assignment(C, xs, n) -> np.ndarray:
    """z for the open sites xs: each row to its best open column."""
    z = np.zeros(len(C.data))
    open_ = xs[C.col] > 0.5
    cand = np.flatnonzero(open_)
    if len(cand):
        order = cand[np.lexsort((-C.data[cand], C.row[cand]))]
        first = np.ones(len(order), dtype=bool)
        first[1:] = C.row[order][1:] != C.row[order][:-1]
        z[order[first]] = 1.0
    return z


def solve_cover(A, weights: np.ndarray, need: float, *, time_limit: float) -> Solution:
    """Fewest columns covering rows of weight at least `need` (all rows: classic LSCP), exact
    with HiGHS from the greedy start."""
    from scipy.sparse import csc_matrix, hstack, identity, vstack

    t0 = time.perf_counter()
    A = A.tocsr()
    n, m = A.shape
    greedy = greedy_cover(A, weights, need)
    xs = np.zeros(m)
    xs[greedy.chosen] = 1.0
    B = A.copy()
    B.data[:] = 1.0
    if need >= weights.sum() * (1 - 1e-12):  # every row: sum_j b_ij x_j >= 1
        M = B
        cost, lo, up = np.ones(m), np.zeros(m), np.ones(m)
        integer = np.ones(m, bool)
        rl, ru = np.ones(n), np.full(n, np.inf)
        start = xs
    else:  # y_i <= sum_j b_ij x_j ; sum w_i y_i >= need
        M = vstack([hstack([-B, identity(n, format="csr")]), hstack([csc_matrix((1, m)), csc_matrix(weights[None, :])])])
        cost = np.r_[np.ones(m), np.zeros(n)]
        lo, up = np.zeros(m + n), np.ones(m + n)
        integer = np.r_[np.ones(m, bool), np.zeros(n, bool)]
        rl = np.r_[np.full(n, -np.inf), need]
        ru = np.r_[np.zeros(n), np.inf]
        start = np.r_[xs, np.minimum(1.0, B @ xs)]
    status, x, value, bound = _run(cost, lo, up, integer, M, rl, ru, False, time_limit, start)
    return _finish(status, x, value, bound, m, greedy, False, t0, lambda x: np.flatnonzero(x[:m] > 0.5))
