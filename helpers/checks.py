"""Auto-checks for the exercises: ``checks.add_k_smoothing(my_function)``.

Each check runs the student's function on a few cases against a reference, prints one line per
case (what passed; on failure, by how much it is off and where) and returns a ``Result`` that is
true only when every case passed, so a worked solution can be tested with ``assert``. A stub that
raises ``NotImplementedError`` is reported as not done yet, without an error.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Result:
    """The outcome of a check: the number of cases passed, and a line for each failure."""

    name: str
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def __repr__(self) -> str:
        mark = "passed" if self else "not passed"
        return f"<check {self.name}: {self.passed}/{self.total} cases, {mark}>"


def compare_arrays(got, expected, atol: float = 1e-8) -> str | None:
    """None if ``got`` matches ``expected`` (shape and values within ``atol``), else what differs."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got) == np.isfinite(expected)):
        return "has inf or nan where the answer does not (or the other way round)"
    diff = np.abs(np.where(np.isfinite(expected), got - expected, 0.0))
    if diff.max(initial=0.0) > atol:
        where = np.unravel_index(np.argmax(diff), diff.shape)
        return (f"largest difference {diff.max():.3g} at index {tuple(int(i) for i in where)}: "
                f"got {got[where]:.6g}, expected {expected[where]:.6g}")
    return None


def run(name: str, function: Callable, cases: list[tuple[str, tuple, object]], compare=compare_arrays,
        quiet: bool = False) -> Result:
    """Run ``function(*args)`` for each (description, args, expected) case and report."""
    result = Result(name, total=len(cases))
    for description, args, expected in cases:
        try:
            problem = compare(function(*args), expected)
        except NotImplementedError:
            result.failures.append("not implemented yet: replace `raise NotImplementedError` with your code")
            break
        except Exception as error:  # a student's bug: report it, don't stop the notebook
            problem = f"raised {type(error).__name__}: {error}"
        if problem is None:
            result.passed += 1
        else:
            result.failures.append(f"{description}: {problem}")
    if not quiet:
        status = "✓ all passed" if result else "✗"
        print(f"{name}: {result.passed}/{result.total} cases passed {status}".rstrip())
        for failure in result.failures:
            print(f"  ✗ {failure}")
    return result


# Notebook 00 -----------------------------------------------------------------------------------


def _add_k_reference(counts: np.ndarray, k: float) -> np.ndarray:
    smoothed = counts + k
    return smoothed / smoothed.sum(axis=-1, keepdims=True)


def add_k_smoothing(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(counts, k)``: add-k smoothed next-character probabilities from a count
    matrix (rows: previous character, columns: next character); each row must sum to 1."""
    rng = np.random.default_rng(0)
    cases = []
    for k in (1.0, 0.5, 0.01):
        counts = rng.integers(0, 5, size=(6, 6)) * rng.integers(0, 2, size=(6, 6))  # many zeros
        cases.append((f"6x6 counts, k={k}", (counts.copy(), k), _add_k_reference(counts, k)))
    zero_row = np.zeros((3, 4), dtype=np.int64)
    zero_row[0] = [3, 0, 1, 0]
    cases.append(("a row with no counts becomes uniform", (zero_row.copy(), 1.0), _add_k_reference(zero_row, 1.0)))
    return run("add_k_smoothing", function, cases, quiet=quiet)


# Notebook 01 -----------------------------------------------------------------------------------


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


def _close(rel: float):
    def compare(got, expected):
        got = float(np.asarray(got))
        if not np.isfinite(got) or abs(got - expected) > rel * abs(expected):
            return f"got {got:.10g}, expected {expected:.10g}"
        return None

    return compare


def forward(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(start, trans, emit, obs) -> log p(obs)`` against ``helpers.hmm``."""
    from helpers import hmm

    cases = [(name, (*model, obs), hmm.log_likelihood(*model, obs)) for name, model, obs in _hmm_cases()]
    return run("forward", function, cases, compare=_close(1e-9), quiet=quiet)


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
