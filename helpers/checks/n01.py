"""Checks for the exercises of notebook 01 (Markov chains and HMMs)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["log_backward", "stationary_distribution"]

CASINO = (np.array([0.5, 0.5]), np.array([[0.95, 0.05], [0.1, 0.9]]), np.array([[1 / 6] * 6, [0.1] * 5 + [0.5]]))


def _hmm_cases():
    """Models and sequences for the HMM checks: tiny, with impossible transitions, and long
    enough (5,000 steps) that a pass in plain probabilities underflows to zero."""
    from helpers import hmm

    cases = [("casino, 20 rolls", CASINO, hmm.sample(*CASINO, 20, seed=0)[1])]
    start, trans, emit = hmm.random_model(4, 5, seed=3)
    trans = trans * np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0]])
    sparse = (start, trans / trans.sum(1, keepdims=True), emit)
    cases.append(("4 states with impossible transitions, 300 steps", sparse, hmm.sample(*sparse, 300, seed=1)[1]))
    cases.append(("casino, 5,000 rolls (underflows without logs)", CASINO, hmm.sample(*CASINO, 5000, seed=2)[1]))
    return cases


def _log_backward_reference(start, trans, emit, obs) -> np.ndarray:
    """log beta (T, K): log p(x_{t+1..T} | z_t = k), with log beta_T = 0."""
    from scipy.special import logsumexp

    with np.errstate(divide="ignore"):
        log_trans, log_emit = np.log(trans), np.log(emit)
    log_beta = np.zeros((len(obs), len(start)))
    for t in range(len(obs) - 2, -1, -1):
        log_beta[t] = logsumexp(log_trans + log_emit[:, obs[t + 1]] + log_beta[t + 1], axis=1)
    return log_beta


def _log_scales(start, trans, emit, obs) -> np.ndarray:
    """log c_t (T,) of the scaled forward pass of lesson 1.3: log p(x_t | x_1..t-1)."""
    log_c = np.empty(len(obs))
    a = start * emit[:, obs[0]]
    for t in range(len(obs)):
        if t > 0:
            a = (a @ trans) * emit[:, obs[t]]
        log_c[t] = np.log(a.sum())
        a = a / a.sum()
    return log_c


def log_backward(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(start, trans, emit, obs) -> log_beta`` (T, K), the backward variables in log
    space, log p(x_{t+1..T} | z_t = k), with a last row of zeros; float32 answers pass."""
    cases = []
    for name, model, obs in _hmm_cases():
        log_beta = _log_backward_reference(*model, obs)
        later = np.append(np.cumsum(_log_scales(*model, obs)[::-1])[::-1][1:], 0.0)  # (T,): sum of log c after t
        cases.append((name, (*(m.copy() for m in model), obs.copy()), (log_beta, log_beta - later[:, None])))

    def compare(got, expected):
        expected, scaled = expected  # log beta, and the log of the lesson's scaled beta-hat
        got = np.asarray(got)
        atol = 1e-5 * max(1.0, np.abs(expected).max())  # relative to the size of the log probabilities
        problem = compare_arrays(got, expected, atol=atol)
        if problem is None or got.shape != expected.shape:
            return problem
        got = got.astype(np.float64)
        with np.errstate(invalid="ignore"):
            if np.allclose(got, scaled, atol=atol):
                return problem + (" (that is log beta-hat, the log of the lesson's scaled beta: add the sum of "
                                  "log c_s for s from t+1 to T to row t, or stay unscaled in log space)")
        if np.any(np.abs(got[-1]) > 1e-6):
            return problem + " (the last row is log beta_T = log 1 = 0: nothing is left to explain)"
        if np.isneginf(got).sum() > np.isneginf(expected).sum():
            return problem + " (-inf where the answer is finite: underflow? stay in log space, with logsumexp)"
        return problem

    return run("log_backward", function, cases, compare=compare, quiet=quiet)


def _stationary_reference(trans) -> np.ndarray:
    values, vectors = np.linalg.eig(np.asarray(trans, dtype=np.float64).T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    return pi / pi.sum()


def stationary_distribution(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(trans) -> pi`` (K,): the distribution over states that one step of the
    chain leaves unchanged, pi @ trans = pi, summing to 1 (the long-run share of time in each state)."""
    rng = np.random.default_rng(0)
    cyclic = np.array([[0.95, 0.05, 0.0], [0.0, 0.9, 0.1], [0.1, 0.0, 0.9]])
    onward = np.array([[0.02, 0.98, 0.0], [0.0, 0.1, 0.9], [0.7, 0.0, 0.3]])
    random = rng.dirichlet(np.ones(5), size=5)
    cases = [(name, (trans.copy(),), (_stationary_reference(trans), trans)) for name, trans in (
        ("the casino's transitions [[0.95, 0.05], [0.1, 0.9]]", CASINO[1]),
        ("3 states in a cycle, fair -> loaded six -> loaded one -> fair", cyclic),
        ("3 states that mostly move on, a -> b -> c -> a (complex eigenvalues)", onward),
        ("a random 5-state chain", random),
    )]

    def compare(got, expected):
        expected, trans = expected
        got = np.asarray(got)
        if np.iscomplexobj(got):
            if np.abs(got.imag).max() > 1e-9:
                return "complex numbers: take the real part of the eigenvector (np.real)"
            got = got.real
        problem = compare_arrays(got, expected, atol=1e-6)
        if problem is None or got.shape != expected.shape:
            return problem
        got = got.astype(np.float64)
        if np.allclose(got, got.mean()) and not np.allclose(expected, expected.mean()):
            return problem + (" (all equal: that is a right eigenvector, trans @ v = v, which is always constant; "
                              "you need pi @ trans = pi, an eigenvector of trans.T)")
        if not np.isclose(got.sum(), 1.0, atol=1e-6):
            return problem + f" (it sums to {got.sum():.4g}: a distribution sums to 1; divide by the sum)"
        moved = np.abs(got @ trans - got).max()
        if moved > 1e-7:
            return problem + (f" (not converged: one more step, pi @ trans, still moves it by {moved:.2g}; take more "
                              "steps of repeated multiplication, or solve pi @ trans = pi exactly)")
        return problem

    return run("stationary_distribution", function, cases, compare=compare, quiet=quiet)
