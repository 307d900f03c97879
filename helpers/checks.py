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
