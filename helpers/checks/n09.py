"""Checks for the exercises of notebook 09 (diffusion)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, relative, run, with_hints

__all__ = ["ddim_eta_step", "from_v"]


def _pair(atol: float = 1e-5):
    """Compare a pair (x0, eps) part by part, each relative to its size."""
    single = relative(atol)

    def compare(got, expected):
        if not isinstance(got, tuple | list) or len(got) != 2:
            return "return a pair (x0, eps) of arrays"
        for part, g, e in zip(("x0", "eps"), got, expected):
            problem = single(g, e)
            if problem:
                return f"{part}: {problem}"
        return None

    return compare


def _hints_without_nan(compare):
    """Like ``with_hints``, but a mistake whose output is nan names nothing (a nan answer would match
    it), and a nan answer gets its own hint: a square root of a negative number."""
    hinted = with_hints(compare)

    def compare_with_hints(got, expected):
        right, mistakes = expected
        mistakes = {hint: wrong for hint, wrong in mistakes.items() if not np.isnan(np.asarray(wrong, dtype=float)).any()}
        problem = hinted(got, (right, mistakes))
        if problem is None:
            return None
        try:
            has_nan = bool(np.isnan(np.asarray(got, dtype=float)).any())
        except (TypeError, ValueError):
            has_nan = False
        if has_nan:
            return (f"{problem}; the answer has nan: a square root of a negative number. s is the earlier step, "
                    "so alpha_bar_s > alpha_bar_t (are the two swapped?)")
        return problem

    return compare_with_hints


def _ddim(x, eps, a_t, a_s, eta, z, mistake=None):
    x0 = (x - np.sqrt(1 - a_t) * eps) / np.sqrt(a_t)
    if mistake == "x0 without square roots":
        x0 = (x - (1 - a_t) * eps) / a_t
    sigma = eta * np.sqrt((1 - a_s) / (1 - a_t)) * np.sqrt(1 - a_t / a_s)
    if mistake == "ddpm beta":
        sigma = eta * np.sqrt(1 - a_t / a_s)
    with np.errstate(invalid="ignore"):  # a wrong sigma can exceed the room there is: nan, as the student's would
        direction = np.sqrt(1 - a_s - sigma**2)
    if mistake == "direction ignores sigma":
        direction = np.sqrt(1 - a_s)
    scale = sigma**2 if mistake == "variance as scale" else sigma
    return np.sqrt(a_s) * x0 + direction * eps + scale * z


def ddim_eta_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x_t, eps, alpha_bar_t, alpha_bar_s, eta, z) -> x_s``: the DDIM update from
    step t to an earlier step s with sigma = eta sqrt((1 - a_s) / (1 - a_t)) sqrt(1 - a_t / a_s),
    x_s = sqrt(a_s) x0 + sqrt(1 - a_s - sigma^2) eps + sigma z, x0 = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)."""
    rng = np.random.default_rng(9)
    cases = []
    for description, (n, d), a_t, a_s, eta in (
            ("eta = 0 (deterministic DDIM), 5 x 4 values", (5, 4), 0.3, 0.6, 0.0),
            ("eta = 1, one step back (t to t - 1)", (6, 3), 0.5, 0.52, 1.0),
            ("eta = 0.5, a long jump", (4, 8), 0.05, 0.7, 0.5),
            ("eta = 1, one alpha-bar per row (n, 1), a long jump", (3, 5), np.array([[0.1], [0.4], [0.8]]),
             np.array([[0.6], [0.7], [0.95]]), 1.0)):
        x, eps, z = (rng.normal(size=(n, d)) for _ in range(3))
        args = (x, eps, a_t, a_s, eta, z)
        right = _ddim(*args)
        mistakes = {
            "sigma is missing the factor sqrt((1 - alpha_bar_s) / (1 - alpha_bar_t)): sqrt(1 - a_t / a_s) alone is "
            "the forward step's beta, not the posterior's": _ddim(*args, mistake="ddpm beta"),
            "the noise term's scale is sigma (a standard deviation), not sigma^2": _ddim(*args, mistake="variance as scale"),
            "the direction term must make room for the fresh noise: sqrt(1 - alpha_bar_s - sigma^2) times eps":
                _ddim(*args, mistake="direction ignores sigma"),
            "x0 = (x_t - sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_bar_t): square roots of alpha-bar, as in "
            "q(x_t | x_0)": _ddim(*args, mistake="x0 without square roots"),
        }
        cases.append((description, tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args),
                      (right, mistakes)))
    return run("ddim_eta_step", function, cases, compare=_hints_without_nan(relative(1e-5)), quiet=quiet)


def from_v(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x_t, v, alpha_bar) -> (x0, eps)`` with x_t = sqrt(a) x0 + sqrt(1 - a) eps and
    v = sqrt(a) eps - sqrt(1 - a) x0: x0 = sqrt(a) x_t - sqrt(1 - a) v, eps = sqrt(1 - a) x_t + sqrt(a) v."""
    rng = np.random.default_rng(10)
    cases = []
    for description, (n, d), a in (("alpha-bar 0.8, 4 x 6 values", (4, 6), 0.8),
                                   ("alpha-bar 0.1 (mostly noise)", (5, 3), 0.1),
                                   ("one alpha-bar per row (n, 1)", (3, 4), np.array([[0.05], [0.5], [0.97]]))):
        x0, eps = rng.normal(size=(n, d)), rng.normal(size=(n, d))
        sa, sb = np.sqrt(a), np.sqrt(1 - a)
        x_t, v = sa * x0 + sb * eps, sa * eps - sb * x0
        mistakes = {
            "the signs of v are the other way round: v = sqrt(a) eps - sqrt(1 - a) x0, so x0 = sqrt(a) x_t "
            "- sqrt(1 - a) v and eps = sqrt(1 - a) x_t + sqrt(a) v": (sa * x_t + sb * v, sb * x_t - sa * v),
            "the coefficients are swapped: x0 takes sqrt(alpha_bar) times x_t": (sb * x_t - sa * v, sa * x_t + sb * v),
            "use the square roots of alpha-bar and 1 - alpha-bar (a rotation by cos = sqrt(alpha_bar))":
                (a * x_t - (1 - a) * v, (1 - a) * x_t + a * v),
            "return (x0, eps) in that order": (eps, x0),
        }
        cases.append((description, (x_t.copy(), v.copy(), np.copy(a) if isinstance(a, np.ndarray) else a),
                      ((x0, eps), mistakes)))
    return run("from_v", function, cases, compare=with_hints(_pair(1e-5)), quiet=quiet)
