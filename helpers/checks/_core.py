"""The shared machinery of the exercise checks: a ``Result``, array comparison and ``run``.

Each check runs the student's function on a few cases against a reference, prints one line per
case (what passed; on failure, by how much it is off and where) and returns a ``Result`` that is
true only when every case passed, so a worked solution can be tested with ``assert``. A stub that
raises ``NotImplementedError`` is reported as "not yet", without an error.
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
    stub: bool = False  # the function still raises NotImplementedError

    def __bool__(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def __repr__(self) -> str:
        mark = "not yet" if self.stub else "passed" if self else "not passed"
        return f"<check {self.name}: {self.passed}/{self.total} cases, {mark}>"


def compare_arrays(got, expected, atol: float = 1e-8) -> str | None:
    """None if ``got`` matches ``expected`` (shape and values within ``atol``), else what differs."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got) == np.isfinite(expected)):
        return "has inf or nan where the answer does not (or the other way round)"
    finite = np.isfinite(expected)
    diff = np.zeros(expected.shape)
    diff[finite] = np.abs(got[finite] - expected[finite])  # inf and nan positions were compared above
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
            result.stub = True
            if not quiet:
                print(f"{name}: not yet (replace `raise NotImplementedError` with your code, then run this check again)")
            return result
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


def close(rel: float):
    def compare(got, expected):
        got = float(np.asarray(got))
        if not np.isfinite(got) or abs(got - expected) > rel * abs(expected):
            return f"got {got:.10g}, expected {expected:.10g}"
        return None

    return compare


def compare_parts(parts: tuple[str, ...], atol: float):
    """A compare function for answers that are several arrays, named ``parts`` in order."""

    def compare(got, expected):
        if not isinstance(got, tuple | list) or len(got) != len(parts):
            return f"return {len(parts)} arrays: ({', '.join(parts)})"
        for part, g, e in zip(parts, got, expected):
            problem = compare_arrays(g, e, atol)
            if problem:
                return f"{part}: {problem}"
        return None

    return compare

