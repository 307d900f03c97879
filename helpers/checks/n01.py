"""Checks for the exercises of notebook 01 (Markov chains and HMMs)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, close, run

__all__ = ["forward", "viterbi"]


def _hmm_cases():
    """Models and sequences for the HMM checks: tiny, with impossible transitions, and long
    enough (5,000 steps) that an unscaled forward pass underflows to zero."""
    from helpers import hmm

    cases = []
    casino = (np.array([0.5, 0.5]), np.array([[0.95, 0.05], [0.1, 0.9]]),
              np.array([[1 / 6] * 6, [0.1] * 5 + [0.5]]))
    cases.append(("casino, 20 rolls", casino, hmm.sample(*casino, 20, seed=0)[1]))
    start, trans, emit = hmm.random_model(4, 5, seed=3)
    trans = trans * np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0]])
    sparse = (start, trans / trans.sum(1, keepdims=True), emit)
    cases.append(("4 states with impossible transitions, 300 steps", sparse, hmm.sample(*sparse, 300, seed=1)[1]))
    cases.append(("casino, 5,000 rolls (underflows without scaling or logs)", casino,
                  hmm.sample(*casino, 5000, seed=2)[1]))
    return cases




def forward(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(start, trans, emit, obs) -> log p(obs)`` against ``helpers.hmm``."""
    from helpers import hmm

    cases = [(name, (*model, obs), hmm.log_likelihood(*model, obs)) for name, model, obs in _hmm_cases()]
    return run("forward", function, cases, compare=close(1e-9), quiet=quiet)


def viterbi(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(start, trans, emit, obs) -> (path, log_prob)``: the log probability must
    be the best one, and the path must have that probability (ties may pick another path)."""
    from helpers import hmm

    def compare(got, expected):
        (path, log_prob), (model, obs, best) = got, expected
        path = np.asarray(path)
        if path.shape != obs.shape:
            return f"path has shape {path.shape}, expected {obs.shape}"
        start, trans, emit = model
        with np.errstate(divide="ignore"):
            joint = (np.log(start[path[0]]) + np.log(trans[path[:-1], path[1:]]).sum()
                     + np.log(emit[path, obs]).sum())
        if not np.isclose(joint, best, rtol=1e-9, atol=0):
            return f"your path has log probability {joint:.10g}, the best path {best:.10g}"
        if not np.isclose(log_prob, best, rtol=1e-9, atol=0):
            return f"returned log probability {float(log_prob):.10g}, expected {best:.10g}"
        return None

    cases = [(name, (*model, obs), (model, obs, hmm.viterbi(*model, obs)[1])) for name, model, obs in _hmm_cases()]
    return run("viterbi", function, cases, compare=compare, quiet=quiet)
