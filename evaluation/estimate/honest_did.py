"""Sensitivity of an event study to parallel-trend violations (Rambachan and Roth 2023).

A port of the R package HonestDiD (github.com/asheshrambachan/HonestDiD, read at commit
6813f02): robust confidence sets for ``theta = l' tau_post`` when the post-period violation
of parallel trends is bounded

- relative to the largest pre-period one (``Delta^RM(Mbar)``, R's
  ``createSensitivityResults_relativeMagnitudes``; methods C-LF (default) and Conditional,
  the ARP moment-inequality test with nuisance parameters of ``R/arp-nuisance.R``), or
- by how much the slope of the trend may change between periods (``Delta^SD(M)``, R's
  ``createSensitivityResults``; the fixed-length confidence interval of ``R/flci.R``).

Why a port and not a library: the PyPI ports checked (``honestdid`` 0.1.1, ``diff-diff`` 3.13)
either pull in torch or replace the C-LF set by a conservative approximation. R's two
simulations (the least-favourable critical value, 1,000 draws, and the folded-normal quantile
of the FLCI, 10^6 draws, both after ``set.seed(0)``) are reproduced draw for draw: R's
Mersenne-Twister seeding and its inversion normal generator are rebuilt on numpy's MT19937,
so the sets equal R's, not only in distribution. The linear programs are solved by
enumerating the vertices of their (small) dual polytope, so a whole grid of 1,000 values of
theta costs a few matrix products instead of 1,000 solver calls.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from evaluation.estimate.results import EventStudyResult
from evaluation.estimate.validation import check_option

__all__ = ["Restriction", "honest_did", "breakdown_value", "SensitivityMethod"]

Restriction = Literal["relative_magnitudes", "smoothness"]
SensitivityMethod = Literal["C-LF", "Conditional", "FLCI"]
_METHODS: dict[str, tuple[str, ...]] = {
    "relative_magnitudes": ("C-LF", "Conditional"),
    "smoothness": ("FLCI",),
}
_DEFAULT_METHOD = {"relative_magnitudes": "C-LF", "smoothness": "FLCI"}
#: R's defaults: 1,000 grid points over +-20 standard errors of theta, 1,000 draws for the
#: least-favourable critical value, 10^6 for the folded-normal quantile, seed 0.
GRID_POINTS = 1000
LF_SIMS = 1000
FOLDED_SIMS = 10**6
_TOL_LAMBDA = 1e-6


# --------------------------------------------------------------------------------------------
# R's random numbers
# --------------------------------------------------------------------------------------------


def _r_uniforms(n: int, seed: int) -> np.ndarray:
    """``runif(n)`` after ``set.seed(seed)`` in R (Mersenne-Twister, R >= 3.6)."""
    # R scrambles the seed with 50 LCG steps, then fills mt[0..623] with further steps.
    state = np.uint64(seed) & np.uint64(0xFFFFFFFF)
    for _ in range(50):
        state = (np.uint64(69069) * state + np.uint64(1)) & np.uint64(0xFFFFFFFF)
    key = np.empty(625, dtype=np.uint32)
    for j in range(625):
        state = (np.uint64(69069) * state + np.uint64(1)) & np.uint64(0xFFFFFFFF)
        key[j] = np.uint32(state)
    generator = np.random.MT19937()
    # key[0] is R's position slot, reset to 624 (regenerate before the first draw)
    generator.state = {"bit_generator": "MT19937", "state": {"key": key[1:], "pos": 624}}
    raw = generator.random_raw(n).astype(np.float64) * 2.3283064365386963e-10
    # R's fixup keeps draws inside (0, 1)
    return np.clip(raw, 0.5 * 2.328306437080797e-10, 1.0 - 0.5 * 2.328306437080797e-10)


@lru_cache(maxsize=4)
def _r_normals(n: int, seed: int) -> np.ndarray:
    """``rnorm(n)`` after ``set.seed(seed)`` in R (inversion: two uniforms per draw)."""
    big = 134217728.0  # 2^27
    u = _r_uniforms(2 * n, seed).reshape(n, 2)
    draws = special.ndtri((np.floor(big * u[:, 0]) + u[:, 1]) / big)
    draws.setflags(write=False)
    return draws


def _r_rmvnorm(n: int, sigma: np.ndarray, seed: int) -> np.ndarray:
    """``mvtnorm::rmvnorm(n, sigma = sigma)`` after ``set.seed(seed)`` (method "eigen")."""
    values, vectors = np.linalg.eigh(sigma)
    root = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    z = _r_normals(n * len(sigma), seed).reshape(n, len(sigma))  # filled by row, as R does
    return z @ root


def _r_quantile(x: np.ndarray, p: float) -> float:
    """R's default (type 7) quantile."""
    return float(np.quantile(x, p))


@lru_cache(maxsize=1)
def _sorted_folded_draws(seed: int) -> np.ndarray:
    draws = np.sort(_r_normals(FOLDED_SIMS, seed))
    draws.setflags(write=False)
    return draws


def _q_folded_normal(p: float, mu: float, seed: int = 0) -> float:
    """R's ``.qfoldednormal``: the p-quantile (type 7) of |N(mu, 1)| from 10^6 seeded draws.

    The sorted |z + mu| is the merge of two sorted runs (z + mu for z >= -mu, -z - mu for
    z < -mu), so its order statistics are found by bisection instead of sorting 10^6 values
    for every mu (the FLCI's search evaluates this ~50 times per M).
    """
    z = _sorted_folded_draws(seed)
    n = len(z)
    split = int(np.searchsorted(z, -mu))  # z[:split] < -mu <= z[split:]
    up, down = n - split, split

    def ascending(i: int) -> float:  # run 1: z[split + i] + mu
        return float(z[split + i] + mu)

    def descending(i: int) -> float:  # run 2: -z[split - 1 - i] - mu
        return float(-z[split - 1 - i] - mu)

    def order_statistic(k: int) -> float:  # k-th smallest (0-based) of the merged runs
        low, high = max(0, k + 1 - down), min(k + 1, up)
        while low < high:  # the number i of run-1 values among the k + 1 smallest
            i = (low + high) // 2
            if ascending(i) < descending(k - i):
                low = i + 1
            else:
                high = i
        candidates = []
        if low > 0:
            candidates.append(ascending(low - 1))
        if k + 1 - low > 0:
            candidates.append(descending(k - low))
        return max(candidates)

    h = (n - 1) * p
    j = int(np.floor(h))
    low_value = order_statistic(j)
    if j + 1 >= n:
        return low_value
    return low_value + (h - j) * (order_statistic(j + 1) - low_value)


def _truncnorm_quantile(p: float, low: float, high: float) -> float:
    """Quantile of N(0, 1) truncated to [low, high] (R: ``TruncatedNormal::norminvp``)."""
    if low == high:
        return low
    if low >= 0:  # right tail: work with survival probabilities, which keep their precision
        s_low, s_high = special.ndtr(-low), special.ndtr(-high)
        mass = s_low - s_high
        quantile = -special.ndtri(s_low - p * mass)
    else:
        c_low, c_high = special.ndtr(low), special.ndtr(high)
        mass = c_high - c_low
        quantile = special.ndtri(c_low + p * mass)
    if mass > 1e-250 and np.isfinite(quantile):
        return float(np.clip(quantile, low, high))
    return float(stats.truncnorm.ppf(p, low, high))  # far tails: scipy's log-space version


# --------------------------------------------------------------------------------------------
# The restrictions as linear inequalities A delta <= d
# --------------------------------------------------------------------------------------------


def _a_rm(n_pre: int, n_post: int, mbar: float, s: int, max_positive: bool) -> np.ndarray:
    """R's ``.create_A_RM``: |first difference| <= (Mbar times) the one ending at period s."""
    n = n_pre + n_post
    first_diff = np.zeros((n, n + 1))
    for r in range(n):
        first_diff[r, r : r + 2] = (-1, 1)
    v_max = np.zeros(n + 1)
    v_max[n_pre + s - 1 : n_pre + s + 1] = (-1, 1)
    if not max_positive:
        v_max = -v_max
    bound = np.vstack([np.tile(v_max, (n_pre, 1)), np.tile(mbar * v_max, (n_post, 1))])
    a = np.vstack([first_diff - bound, -first_diff - bound])
    a = a[(a * a).sum(axis=1) > 1e-10]
    return np.delete(a, n_pre, axis=1)  # period 0 is normalised to zero


def _post_rows(a: np.ndarray, n_pre: int) -> np.ndarray:
    """Rows of ``a`` that involve a post period (R's ``postPeriodMomentsOnly``)."""
    return np.flatnonzero((a[:, n_pre:] != 0).any(axis=1))


def _gamma(l_vec: np.ndarray) -> np.ndarray:
    """R's ``.construct_Gamma``: an invertible matrix whose first row is l'."""
    basis = np.column_stack([l_vec, np.eye(len(l_vec))])
    chosen: list[int] = []
    for j in range(basis.shape[1]):
        if np.linalg.matrix_rank(basis[:, chosen + [j]]) > len(chosen):
            chosen.append(j)
    return basis[:, chosen].T


# --------------------------------------------------------------------------------------------
# The ARP conditional / hybrid test with nuisance parameters (R/arp-nuisance.R)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DualPolytope:
    """Vertices of {gamma >= 0 : gamma' [sd, X] = e1}, the dual of R's ``.test_delta_lp_fn``.

    ``eta(y) = min {eta : y - X delta <= sd * eta}`` equals the largest ``v'y`` over vertices.
    """

    vertices: np.ndarray  # (n_vertices, n_moments)

    @classmethod
    def of(cls, sd: np.ndarray, x: np.ndarray) -> _DualPolytope:
        w = np.column_stack([sd, x])
        n, k = w.shape
        if np.linalg.matrix_rank(w) < k:
            return cls._of_rank_deficient(w)
        # every basic solution at once: W_B' gamma_B = e1 for each set B of k moments
        supports = np.array(list(itertools.combinations(range(n), k)))
        blocks = np.transpose(w[supports], (0, 2, 1))  # (combos, k, k)
        regular = np.abs(np.linalg.det(blocks)) > 1e-12 * np.abs(w).max() ** k
        supports, blocks = supports[regular], blocks[regular]
        target = np.zeros((len(blocks), k, 1))
        target[:, 0, 0] = 1.0
        coef = np.linalg.solve(blocks, target)[:, :, 0]
        feasible = coef.min(axis=1) >= -1e-12
        vertices = np.zeros((int(feasible.sum()), n))
        rows = np.repeat(np.arange(len(vertices)), k)
        vertices[rows, supports[feasible].ravel()] = np.clip(coef[feasible], 0, None).ravel()
        return cls(np.unique(np.round(vertices, 14), axis=0) if len(vertices) else vertices)

    @classmethod
    def _of_rank_deficient(cls, w: np.ndarray) -> _DualPolytope:
        n, k = w.shape
        rank = np.linalg.matrix_rank(w)
        target = np.zeros(k)
        target[0] = 1.0
        found: list[np.ndarray] = []
        for support in itertools.combinations(range(n), rank):
            sub = w[list(support)].T  # k x rank
            if np.linalg.matrix_rank(sub) < rank:
                continue
            coef, *_ = np.linalg.lstsq(sub, target, rcond=None)
            if np.abs(sub @ coef - target).max() > 1e-9 or coef.min() < -1e-12:
                continue
            vertex = np.zeros(n)
            vertex[list(support)] = np.clip(coef, 0, None)
            if not any(np.abs(vertex - f).max() < 1e-12 for f in found):
                found.append(vertex)
        return cls(np.array(found).reshape(len(found), n))

    def best(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        """The LP value and its dual solution (the maximising vertex) at moments ``y``."""
        values = self.vertices @ y
        i = int(np.argmax(values))
        return float(values[i]), self.vertices[i]


def _lf_critical_value(
    polytope: _DualPolytope, sigma: np.ndarray, kappa: float, seed: int = 0
) -> float:
    """R's ``.compute_least_favorable_cv`` (nuisance case): 1 - kappa quantile of eta(xi)."""
    draws = _r_rmvnorm(LF_SIMS, sigma, seed)
    etas = (polytope.vertices @ draws.T).max(axis=0)
    return _r_quantile(etas, 1 - kappa)


def _roundeps(x: float) -> float:
    return 0.0 if abs(x) < np.finfo(float).eps ** 0.75 else x


def _vlo_vup_dual(
    eta: float, s_t: np.ndarray, gamma: np.ndarray, sigma: np.ndarray, polytope: _DualPolytope
) -> tuple[float, float]:
    """R's ``.vlo_vup_dual_fn``: the truncation points when the LP's dual is degenerate."""
    tol_c, tol_eq, maxiters, switchiters = 1e-6, 1e-6, 10000, 10
    sigma_b = float(np.sqrt(gamma @ sigma @ gamma))
    b = sigma @ gamma / float(gamma @ sigma @ gamma)

    def check(c: float) -> tuple[bool, np.ndarray]:
        value, solution = polytope.best(s_t + b * c)
        return abs(c - value) <= tol_eq, solution

    if not check(eta)[0]:
        return eta, np.inf

    def step(solution: np.ndarray) -> float:
        return _roundeps(float(solution @ s_t)) / (1 - float(solution @ b))

    def search(start: float, upward: bool) -> float:
        ok, solution = check(start)
        if ok:
            return np.inf if upward else -np.inf
        dif, iters = 0.0, 1
        mid = step(solution)
        while True:
            ok, solution = check(mid)
            if ok or iters >= maxiters:
                break
            iters += 1
            if iters >= switchiters:
                dif = tol_c + 1
                break
            mid = step(solution)
        low, high = (eta, mid) if upward else (mid, eta)
        while dif > tol_c and iters < maxiters:
            iters += 1
            mid = (high + low) / 2
            inside = check(mid)[0]
            if inside == upward:
                low = mid
            else:
                high = mid
            dif = high - low
        return mid

    vup = search(max(100.0, eta + 20 * sigma_b), upward=True)
    vlo = search(min(-100.0, eta - 20 * sigma_b), upward=False)
    return vlo, vup


def _regular_branch(
    x: np.ndarray, sigma: np.ndarray, binding: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray] | None:
    """The non-degenerate branch's (variance, Gamma_B, v_B, rho); None when the dual is degenerate.

    R takes this branch when exactly k + 1 moments bind and their X rows have full rank.
    """
    k = x.shape[1]
    x_b = x[binding]
    full_rank = min(x_b.shape) > 0 and np.linalg.matrix_rank(x_b) == min(x_b.shape)
    if int(binding.sum()) != k + 1 or not full_rank:
        return None
    sd = np.sqrt(np.diag(sigma))
    basis_inv = np.linalg.inv(np.column_stack([sd[binding], x_b]))
    identity = np.eye(len(sigma))
    s_b, s_bc = identity[binding], identity[~binding]
    gamma_b = np.column_stack([sd[~binding], x[~binding]]) @ basis_inv @ s_b - s_bc
    v_b = basis_inv[0] @ s_b
    variance = float(v_b @ sigma @ v_b)
    rho = gamma_b @ sigma @ v_b / variance
    return variance, gamma_b, v_b, rho


def _arp_rejects(
    y: np.ndarray,
    x: np.ndarray,
    sigma: np.ndarray,
    polytope: _DualPolytope,
    alpha: float,
    lf_cv: float | None,
    kappa: float,
    solved: tuple[float, np.ndarray] | None = None,
    cache: dict[bytes, tuple[float, np.ndarray, np.ndarray, np.ndarray] | None] | None = None,
) -> bool:
    """R's ``.lp_conditional_test_fn`` for the ARP (lf_cv None) and LF-hybrid tests.

    ``solved``: the LP's value and dual at ``y`` when already known; ``cache``: the
    non-degenerate branch's matrices by set of binding moments (they do not depend on ``y``).
    """
    eta, lam = solved if solved is not None else polytope.best(y)
    mod_size = alpha
    if lf_cv is not None:
        if eta > lf_cv:
            return True
        mod_size = (alpha - kappa) / (1 - kappa)
    binding = lam > _TOL_LAMBDA
    key = binding.tobytes()
    if cache is None or key not in cache:
        regular = _regular_branch(x, sigma, binding)
        if cache is not None:
            cache[key] = regular
    else:
        regular = cache[key]
    if regular is None:
        variance = float(lam @ sigma @ lam)
        if abs(variance) < np.finfo(float).eps:
            return eta > 0
        s_t = y - sigma @ lam * float(lam @ y) / variance
        vlo, vup = _vlo_vup_dual(eta, s_t, lam, sigma, polytope)
        scale = np.sqrt(variance)
    else:
        variance, gamma_b, v_b, rho = regular
        bounds = -(gamma_b @ y) / rho + float(v_b @ y)
        vlo = float(bounds[rho > 0].max()) if (rho > 0).any() else -np.inf
        vup = float(bounds[rho < 0].min()) if (rho < 0).any() else np.inf
        scale = np.sqrt(variance)
    zlo = vlo / scale
    zup = (min(vup, lf_cv) if lf_cv is not None else vup) / scale
    stat = eta / scale
    if not zlo <= stat <= zup:
        return False
    return bool(stat > max(0.0, _truncnorm_quantile(1 - mod_size, zlo, zup)))


def _arp_tester(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    a: np.ndarray,
    l_vec: np.ndarray,
    alpha: float,
    hybrid: bool,
) -> Callable[[np.ndarray], np.ndarray]:
    """R's ``.ARP_computeCI`` on the post-period moments: which grid values are accepted."""
    a = a[_post_rows(a, n_pre)]
    a_gamma_inv = a[:, n_pre:] @ np.linalg.inv(_gamma(l_vec))
    a_one, x = a_gamma_inv[:, 0], a_gamma_inv[:, 1:]
    y0 = a @ betahat  # d is zero for Delta^RM
    sigma_y = a @ sigma @ a.T
    polytope = _DualPolytope.of(np.sqrt(np.diag(sigma_y)), x)
    kappa = alpha / 10
    lf_cv = _lf_critical_value(polytope, sigma_y, kappa) if hybrid else None

    cache: dict[bytes, tuple[float, np.ndarray, np.ndarray, np.ndarray] | None] = {}

    def accepts(grid: np.ndarray) -> np.ndarray:
        if len(polytope.vertices) == 0:  # R: the LP fails and the test does not reject
            return np.ones(len(grid), dtype=bool)
        # the LP at every grid value at once: its value and (first) maximising dual vertex
        values = polytope.vertices @ (y0[:, None] - a_one[:, None] * grid[None, :])
        best = np.argmax(values, axis=0)
        etas = values[best, np.arange(len(grid))]
        accepted = np.zeros(len(grid), dtype=bool)
        for i, theta in enumerate(grid):
            if lf_cv is not None and etas[i] > lf_cv:
                continue  # the least-favourable first stage rejects
            solved = (float(etas[i]), polytope.vertices[best[i]])
            accepted[i] = not _arp_rejects(
                y0 - a_one * theta, x, sigma_y, polytope, alpha, lf_cv, kappa, solved, cache
            )
        return accepted

    return accepts


def _no_nuisance_tester(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    a: np.ndarray,
    alpha: float,
    hybrid: bool,
) -> Callable[[np.ndarray], np.ndarray]:
    """R's ``.APR_computeCI_NoNuis`` (one post period): the ARP / LF-hybrid test, no nuisance."""
    a = a[_post_rows(a, n_pre)]
    kappa = alpha / 10
    sd_moments = np.sqrt(np.diag(a @ sigma @ a.T))
    lf_cv = None
    if hybrid:
        draws = _r_rmvnorm(LF_SIMS, a @ sigma @ a.T, 0) / sd_moments
        lf_cv = _r_quantile(draws.max(axis=1), 1 - kappa)
    a_tilde = a / sd_moments[:, None]
    size = (alpha - kappa) / (1 - kappa) if hybrid else alpha
    return lambda grid: _no_nuisance_grid(betahat, sigma, n_pre, a_tilde, grid, size, lf_cv)


def _no_nuisance_grid(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    a_tilde: np.ndarray,
    grid: np.ndarray,
    size: float,
    lf_cv: float | None,
) -> np.ndarray:
    accepted = []
    for theta in grid:
        y = betahat.copy()
        y[n_pre] -= theta
        moments = a_tilde @ y
        top = int(np.argmax(moments))
        if lf_cv is not None and moments[top] > lf_cv:
            accepted.append(False)
            continue
        gamma = a_tilde[top]
        a_bar = a_tilde - a_tilde[top]
        variance = float(gamma @ sigma @ gamma)
        c = sigma @ gamma / variance
        z = y - c * float(gamma @ y)
        ac = a_bar @ c
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = -(a_bar @ z) / ac
        vlo = ratio[ac < 0].max() if (ac < 0).any() else -np.inf
        vup = ratio[ac > 0].min() if (ac > 0).any() else np.inf
        sd_bar = np.sqrt(variance)
        critical = max(0.0, sd_bar * _truncnorm_quantile(1 - size, vlo / sd_bar, vup / sd_bar))
        accepted.append(not moments[top] > critical)
    return np.array(accepted)


def _rm_testers(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    n_post: int,
    l_vec: np.ndarray,
    mbar: float,
    alpha: float,
    hybrid: bool,
) -> list[Callable[[np.ndarray], np.ndarray]]:
    """R's ``computeConditionalCS_DeltaRM``: one test per s and sign; the set is their union."""
    testers = []
    for s in range(-(n_pre - 1), 1):
        for positive in (True, False):
            a = _a_rm(n_pre, n_post, mbar, s, positive)
            if n_post == 1:
                testers.append(_no_nuisance_tester(betahat, sigma, n_pre, a, alpha, hybrid))
            else:
                testers.append(_arp_tester(betahat, sigma, n_pre, a, l_vec, alpha, hybrid))
    return testers


# --------------------------------------------------------------------------------------------
# The fixed-length confidence interval for Delta^SD (R/flci.R)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FlciProblem:
    """The FLCI's variance and bias as functions of the pre-period weights w (R's UstackW)."""

    quad: np.ndarray
    linear: np.ndarray
    constant: float
    target: float  # sum of w: (1..T)' l
    bias_constant: float
    n_pre: int

    @classmethod
    def of(cls, sigma: np.ndarray, n_pre: int, l_vec: np.ndarray) -> _FlciProblem:
        n_post = len(l_vec)
        to_l = np.eye(n_pre) - np.eye(n_pre, k=-1)  # l_pre = to_l @ w
        quad = to_l.T @ sigma[:n_pre, :n_pre] @ to_l
        linear = 2 * to_l.T @ sigma[:n_pre, n_pre:] @ l_vec
        constant = float(l_vec @ sigma[n_pre:, n_pre:] @ l_vec)
        steps = np.arange(1, n_post + 1)
        target = float(steps @ l_vec)
        bias_constant = (
            sum(abs(float(np.arange(1, s + 1) @ l_vec[n_post - s :])) for s in steps) - target
        )
        return cls(quad, linear, constant, target, bias_constant, n_pre)

    def variance(self, w: np.ndarray) -> float:
        return float(w @ self.quad @ w + self.linear @ w + self.constant)

    def bias(self, w: np.ndarray) -> float:
        return self.bias_constant + float(np.abs(np.cumsum(w)).sum())

    def min_variance_w(self) -> np.ndarray:
        """Weights with the smallest variance given sum(w) = target (R's ``.findLowestH``)."""
        k = self.n_pre
        kkt = np.block([[2 * self.quad, np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
        rhs = np.concatenate([-self.linear, [self.target]])
        return np.linalg.lstsq(kkt, rhs, rcond=None)[0][:k]

    def min_bias_w(self) -> np.ndarray:
        """R's ``.findHForMinimumBias`` weights: all on the last pre-period."""
        w = np.zeros(self.n_pre)
        w[-1] = self.target
        return w

    def worst_case_bias(self, h: float) -> tuple[float, np.ndarray]:
        """Smallest worst-case bias (per unit M) with standard deviation at most h."""
        k = self.n_pre
        start = self.min_variance_w()
        if self.variance(start) >= h * h * (1 - 1e-12):
            return self.bias(start), start
        # variables (u, w) with u >= |cumsum(w)|, as in R's CVXR program
        lower = np.tril(np.ones((k, k)))
        x0 = np.concatenate([np.abs(lower @ start) + 1e-9, start])
        constraints = [
            {
                "type": "ineq",
                "fun": lambda x: np.concatenate([x[:k] - lower @ x[k:], x[:k] + lower @ x[k:]]),
                "jac": lambda x: np.block([[np.eye(k), -lower], [np.eye(k), lower]]),
            },
            {
                "type": "eq",
                "fun": lambda x: np.array([x[k:].sum() - self.target]),
                "jac": lambda x: np.concatenate([np.zeros(k), np.ones(k)])[None, :],
            },
            {
                "type": "ineq",
                "fun": lambda x: np.array([h * h - self.variance(x[k:])]),
                "jac": lambda x: np.concatenate(
                    [np.zeros(k), -(2 * self.quad @ x[k:] + self.linear)]
                )[None, :],
            },
        ]
        result = optimize.minimize(
            lambda x: x[:k].sum(),
            x0,
            jac=lambda x: np.concatenate([np.ones(k), np.zeros(k)]),
            constraints=constraints,
            method="SLSQP",
            options={"ftol": 1e-14, "maxiter": 500},
        )
        w = result.x[k:]
        return self.bias(w), w


def _flci(
    betahat: np.ndarray, sigma: np.ndarray, n_pre: int, l_vec: np.ndarray, m: float, alpha: float
) -> tuple[float, float]:
    """R's ``findOptimalFLCI``: the affine estimator with the shortest worst-case interval."""
    problem = _FlciProblem.of(sigma, n_pre, l_vec)
    h_min = np.sqrt(problem.variance(problem.min_variance_w()))
    h_0 = np.sqrt(problem.variance(problem.min_bias_w()))

    def half_length(h: float) -> float:
        return _q_folded_normal(1 - alpha, m * problem.worst_case_bias(h)[0] / h) * h

    h_star = _derivative_bisection(half_length, h_min, h_0)
    if not np.isfinite(h_star):
        grid = np.linspace(h_min, h_0, 100)
        h_star = grid[int(np.argmin([half_length(h) for h in grid]))]
    _, w = problem.worst_case_bias(h_star)
    weights = np.concatenate([(np.eye(n_pre) - np.eye(n_pre, k=-1)) @ w, l_vec])
    half = half_length(h_star)
    centre = float(weights @ betahat)
    return centre - half, centre + half


def _derivative_bisection(f, a: float, b: float, num_points: int = 100) -> float:  # noqa: ANN001
    """R's ``.findOptimalCIDerivativeBisection``: the minimiser of a convex f on [a, b]."""
    eps = np.finfo(float).eps
    failtol = eps**0.5
    dif = min((b - a) / num_points, abs(b) * eps ** (1 / 3))
    if dif <= 0:
        return a
    fa, fb = f(a), f(b)
    fpa = (f(a + dif) - fa) / dif
    fpb = (f(b - dif) - fb) / -dif
    maxiter = 10 * int(np.ceil(np.log(abs(b - a) / dif) / np.log(2)))
    if fpa > fpb or not (np.isfinite(fa) and np.isfinite(fb)):
        return np.nan
    if fpb < 0:
        return b
    if fpa > 0:
        return a
    iteration, failed = 1, False
    while not failed and abs(b - a) > dif:
        iteration += 1
        x = (a + b) / 2
        fpx = (f(x + dif) - f(x - dif)) / (2 * dif)
        failed = fpx > fpb + failtol or fpx + failtol < fpa or iteration > maxiter
        if fpx > 0:
            b = x
        else:
            a = x
    return np.nan if failed else (a + b) / 2


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _from_event_study(study: EventStudyResult) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Coefficients, covariance and period counts of an event study, ordered by period."""
    if study.vcov is None:
        raise ValueError("honest_did needs the event study's covariance matrix (vcov is None)")
    table = study.tidy()
    if "relative_period" in table.columns:
        periods = [int(k) for k in table["relative_period"]]
    else:  # terms event_time=k
        periods = [int(str(term).rsplit("=", 1)[-1]) for term in table["term"]]
    order = np.argsort(periods)
    ordered = np.array(periods)[order]
    n_pre = int((ordered < study.reference).sum())
    n_post = int((ordered > study.reference).sum())
    expected = list(range(ordered[0], study.reference)) + list(
        range(study.reference + 1, ordered[-1] + 1)
    )
    if ordered.tolist() != expected:
        raise ValueError(f"honest_did needs consecutive event-time periods, got {ordered.tolist()}")
    betahat = table["estimate"].to_numpy(float)[order]
    sigma = np.asarray(study.vcov, dtype=float)[np.ix_(order, order)]
    return betahat, sigma, n_pre, n_post


def _checked(
    betahat: np.ndarray, sigma: np.ndarray, n_pre: int, n_post: int, l_vec: np.ndarray
) -> None:
    if betahat.ndim != 1:
        raise ValueError(f"betahat must be a vector, got shape {betahat.shape}")
    if sigma.shape != (len(betahat), len(betahat)):
        raise ValueError(f"sigma {sigma.shape} and betahat ({len(betahat)}) are non-conformable")
    if n_pre < 1 or n_post < 1 or n_pre + n_post != len(betahat):
        raise ValueError(
            f"num_pre_periods ({n_pre}) + num_post_periods ({n_post}) must equal the "
            f"{len(betahat)} coefficients, each at least 1"
        )
    if len(l_vec) != n_post:
        raise ValueError(f"l_vec has {len(l_vec)} weights for {n_post} post periods")
    if not (np.all(np.isfinite(betahat)) and np.all(np.isfinite(sigma))):
        raise ValueError("betahat and sigma must be finite")
    if np.linalg.eigvalsh((sigma + sigma.T) / 2).min() < -1e-12 * np.abs(sigma).max():
        raise ValueError("sigma is not positive semi-definite")


def _grid(sd_theta: float, centre: float, half_width: float, points: int) -> np.ndarray:
    return np.linspace(centre - half_width * sd_theta, centre + half_width * sd_theta, points)


def _rm_row(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    n_post: int,
    l_vec: np.ndarray,
    mbar: float,
    alpha: float,
    hybrid: bool,
    grid_points: int,
) -> tuple[float, float]:
    """One robust interval; the grid is R's (+-20 sd around 0), widened while it is too narrow.

    R returns the grid's end (with a warning) when the set reaches it; a large, precise effect
    lies further than 20 standard errors from zero, so the grid is re-centred on the estimate
    and doubled (up to four times) instead. An end still reached is reported as infinite.
    R returns NA when no grid value is accepted, which happens when the whole set lies beyond
    20 standard errors from zero (SĀDHANA Saptah 2026 at scale 0.004: an effect of 0.52 with
    a standard error of 0.013, 39 of them from zero); the grid is then re-centred on the
    estimate before the set is called empty.
    """
    sd_theta = float(np.sqrt(l_vec @ sigma[n_pre:, n_pre:] @ l_vec))
    testers = _rm_testers(betahat, sigma, n_pre, n_post, l_vec, mbar, alpha, hybrid)
    estimate = float(l_vec @ betahat[n_pre:])
    centre, half_width = 0.0, 20.0
    for attempt in range(5):
        grid = _grid(sd_theta, centre, half_width, grid_points)
        accept = np.zeros(grid_points, dtype=bool)
        for tester in testers:
            accept |= tester(grid)
        if not accept.any():
            if centre == estimate:
                return np.nan, np.nan
            centre = estimate  # R's grid around zero missed a set far from it
            continue
        if not (accept[0] or accept[-1]) or attempt == 4:
            break
        centre, half_width = estimate, half_width * 2
    if not accept.any():
        return np.nan, np.nan
    low = -np.inf if accept[0] else float(grid[accept].min())
    high = np.inf if accept[-1] else float(grid[accept].max())
    return low, high


def honest_did(
    betahat: np.ndarray | Sequence[float] | EventStudyResult,
    sigma: np.ndarray | None = None,
    *,
    num_pre_periods: int | None = None,
    num_post_periods: int | None = None,
    restriction: Restriction = "relative_magnitudes",
    m: Sequence[float] = (0.5, 1.0, 1.5, 2.0),
    l_vec: Sequence[float] | np.ndarray | None = None,
    method: SensitivityMethod | None = None,
    alpha: float = 0.05,
    grid_points: int = GRID_POINTS,
) -> pd.DataFrame:
    """Robust confidence sets for an event-study effect under bounded trend violations.

    Parameters
    ----------
    betahat : array-like or EventStudyResult
        Event-study coefficients, pre-periods first (the reference period left out), or an
        event-study result (terms ``event_time=k``; its ``vcov`` is used and the period counts
        are read from the terms).
    sigma : numpy.ndarray, optional
        Covariance matrix of ``betahat`` (not with an event-study result).
    num_pre_periods, num_post_periods : int, optional
        Numbers of coefficients before and after the reference period (read from an
        event-study result).
    restriction : {"relative_magnitudes", "smoothness"}
        ``Delta^RM(Mbar)``: each post-period change in the trend gap is at most ``Mbar`` times
        the largest pre-period change; ``Delta^SD(M)``: the slope of the gap changes by at
        most ``M`` between consecutive periods.
    m : sequence of float
        The values of Mbar (relative magnitudes) or M (smoothness, in outcome units).
    l_vec : array-like, optional
        Weights defining ``theta = l' tau_post``; default the first post period (R's default).
    method : {"C-LF", "Conditional", "FLCI"}, optional
        ``None``: R's default, C-LF (conditional least-favourable hybrid) for relative
        magnitudes, FLCI for smoothness.
    alpha : float
        1 - coverage.
    grid_points : int
        Points of the grid over which the C-LF / Conditional test is inverted (R: 1,000).

    Returns
    -------
    pandas.DataFrame
        One row per value of ``m``: ``m, conf_low, conf_high, method``. ``attrs["original"]``
        holds the unrestricted interval (R's ``constructOriginalCS``: estimate, std_error,
        conf_low, conf_high), ``attrs["restriction"]`` the restriction and
        ``attrs["breakdown"]`` the breakdown value over ``m`` (see :func:`breakdown_value`).
        A ``NaN`` pair means the robust set is empty (the pre-trends reject the restriction).

    Raises
    ------
    ValueError
        On non-conformable inputs, a covariance matrix that is not positive semi-definite, an
        unknown restriction or a method the restriction does not support.
    """
    if isinstance(betahat, EventStudyResult):
        if sigma is not None:
            raise ValueError("pass either an event-study result or betahat and sigma, not both")
        beta, cov, n_pre, n_post = _from_event_study(betahat)
    else:
        if sigma is None or num_pre_periods is None or num_post_periods is None:
            raise ValueError("betahat needs sigma, num_pre_periods and num_post_periods")
        beta = np.asarray(betahat, dtype=float).ravel()
        cov = np.asarray(sigma, dtype=float)
        n_pre, n_post = int(num_pre_periods), int(num_post_periods)
    check_option(restriction, Restriction, "restriction")
    chosen = method if method is not None else _DEFAULT_METHOD[restriction]
    if chosen not in _METHODS[restriction]:
        raise ValueError(
            f"method {chosen!r} is not available for {restriction}; use one of "
            f"{list(_METHODS[restriction])}"
        )
    weights = np.eye(n_post)[0] if l_vec is None else np.asarray(l_vec, dtype=float).ravel()
    _checked(beta, cov, n_pre, n_post, weights)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    values = [float(v) for v in m]
    if any(v < 0 or not np.isfinite(v) for v in values):
        raise ValueError(f"m must be finite and non-negative, got {values}")

    rows = []
    for value in values:
        if restriction == "smoothness":
            low, high = _flci(beta, cov, n_pre, weights, value, alpha)
        else:
            low, high = _rm_row(
                beta, cov, n_pre, n_post, weights, value, alpha, chosen == "C-LF", grid_points
            )
        rows.append({"m": value, "conf_low": low, "conf_high": high, "method": chosen})
    frame = pd.DataFrame(rows, columns=["m", "conf_low", "conf_high", "method"])
    frame.attrs["original"] = _original(beta, cov, n_pre, weights, alpha)
    frame.attrs["restriction"] = restriction
    frame.attrs["breakdown"] = breakdown_value(frame)
    return frame


def _original(
    beta: np.ndarray, sigma: np.ndarray, n_pre: int, l_vec: np.ndarray, alpha: float
) -> dict[str, float]:
    """R's ``constructOriginalCS``: l'beta_post +- z * its standard error."""
    estimate = float(l_vec @ beta[n_pre:])
    std_error = float(np.sqrt(l_vec @ sigma[n_pre:, n_pre:] @ l_vec))
    z = float(stats.norm.ppf(1 - alpha / 2))
    return {
        "estimate": estimate,
        "std_error": std_error,
        "conf_low": estimate - z * std_error,
        "conf_high": estimate + z * std_error,
    }


def breakdown_value(frame: pd.DataFrame) -> float | None:
    """The largest ``m`` up to which every robust set excludes zero (README's definition).

    Scans the rows in increasing ``m`` and stops at the first set that contains zero (or is
    empty): the answer is the ``m`` before it, ``None`` when already the smallest ``m``'s set
    contains zero. Only the values of ``m`` that were computed are candidates, so the true
    breakdown point lies between the returned value and the next one on the grid.
    """
    best = None
    ordered = frame.sort_values("m")
    for value, low, high in zip(
        ordered["m"].to_numpy(float),
        ordered["conf_low"].to_numpy(float),
        ordered["conf_high"].to_numpy(float),
        strict=True,
    ):
        if np.isnan(low) or np.isnan(high) or low <= 0 <= high:
            break
        best = float(value)
    return best
