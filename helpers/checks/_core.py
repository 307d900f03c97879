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


ULPS = 32  # rounding allowance, in units of the answer's float precision, relative to magnitude


def _kind(value) -> str:
    """A short description of a value's type, for messages: 'None', 'a str', 'a float', ..."""
    if value is None:
        return "None"
    if isinstance(value, str | bytes):
        return f"a {type(value).__name__} ({value[:30]!r})"
    return f"a {type(value).__name__}"


def _as_array(got, expected: np.ndarray):
    """``got`` as an array comparable with ``expected``, or a message saying what was expected."""
    wanted = f"an array of shape {expected.shape}" if expected.ndim else "a number"
    if got is None or isinstance(got, str | bytes | dict | set) or callable(got):
        return None, f"returned {_kind(got)}, expected {wanted}"
    try:
        array = np.asarray(got)
    except (TypeError, ValueError) as error:
        return None, f"returned {_kind(got)} that is not a rectangular array ({error}), expected {wanted}"
    if array.dtype == object or array.dtype.kind in "USV":
        return None, f"returned {_kind(got)} of {array.dtype} values, expected {wanted} of numbers"
    if expected.ndim and array.ndim == 0:
        return None, f"returned a single number ({_kind(got)}), expected {wanted}"
    return array, None


def _precision(got: np.ndarray, expected: np.ndarray) -> float:
    """The machine epsilon of the less precise of the two (0 when both are exact: ints, bools)."""
    eps = [np.finfo(a.dtype).eps for a in (got, expected) if a.dtype.kind in "fc"]
    return float(max(eps)) if eps else 0.0


def _fmt(a, b) -> tuple[str, str]:
    """Two numbers printed with enough digits to tell them apart."""
    for digits in (6, 9, 12, 17):
        x, y = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if x != y:
            return x, y
    return x, y


def compare_arrays(got, expected, atol: float = 1e-8) -> str | None:
    """None if ``got`` matches ``expected``, else what differs.

    Shapes must agree; non-finite entries must match exactly (NaN with NaN, +inf with +inf, -inf
    with -inf); finite entries may differ by ``atol`` plus a rounding allowance that follows the
    less precise dtype of the two (``ULPS`` times its epsilon, relative to the magnitude of the
    expected values), so a correct float32 answer (TensorFlow, keras.ops) passes. An answer that is
    not an array (None, a string, a single number where an array is expected) is reported as such.
    """
    expected = np.asarray(expected)
    got, problem = _as_array(got, expected)
    if problem:
        return problem
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if got.dtype == bool or expected.dtype == bool:
        got, expected = got.astype(np.int64) if got.dtype == bool else got, \
            expected.astype(np.int64) if expected.dtype == bool else expected
    got_finite, expected_finite = np.isfinite(got), np.isfinite(expected)
    special = ~(got_finite & expected_finite)
    if special.any():
        same = (np.isnan(got) & np.isnan(expected)) | (~np.isnan(got) & ~np.isnan(expected) & (got == expected))
        wrong = special & ~same
        if wrong.any():
            where = tuple(int(i) for i in np.argwhere(wrong)[0])
            return (f"has inf or nan where the answer does not (or the other way round, or a different one): "
                    f"at index {where} got {got[where]}, expected {expected[where]} ({int(wrong.sum())} such "
                    "entries; nan, inf and -inf must match exactly)")
    finite = got_finite & expected_finite
    diff = np.zeros(expected.shape)
    diff[finite] = np.abs(got[finite] - expected[finite])  # non-finite positions were compared above
    magnitude = float(np.abs(expected[finite]).max(initial=0.0))
    tolerance = atol + ULPS * _precision(got, expected) * max(magnitude, 1.0)
    if diff.max(initial=0.0) > tolerance:
        where = np.unravel_index(np.argmax(diff), diff.shape)
        g, e = _fmt(got[where], expected[where])
        return f"largest difference {diff.max():.3g} at index {tuple(int(i) for i in where)}: got {g}, expected {e}"
    return None


def run(name: str, function: Callable, cases: list[tuple[str, tuple, object]], compare=compare_arrays,
        quiet: bool = False) -> Result:
    """Run ``function(*args)`` for each (description, args, expected) case and report."""
    result = Result(name, total=len(cases))
    for description, args, expected in cases:
        try:
            answer = function(*args)
        except NotImplementedError:
            result.stub = True
            if not quiet:
                print(f"{name}: not yet (replace `raise NotImplementedError` with your code, then run this check again)")
            return result
        except Exception as error:  # a student's bug: report it, don't stop the notebook
            problem = f"raised {type(error).__name__}: {error}"
        else:
            try:
                problem = compare(answer, expected)
            except Exception as error:  # the answer is of a kind the comparison cannot take
                problem = (f"returned {_kind(answer)}, which cannot be compared with the expected "
                           f"{_kind(expected)} ({type(error).__name__}: {error})")
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
        if got is None or isinstance(got, str | bytes) or np.ndim(got) != 0:
            return f"returned {_kind(got)}{f' of shape {np.shape(got)}' if np.ndim(got) else ''}, expected a number"
        try:
            got = float(np.asarray(got))
        except (TypeError, ValueError):
            return f"returned {_kind(got)}, expected a number"
        if not np.isfinite(got) or abs(got - expected) > rel * abs(expected):
            return f"got {got:.10g}, expected {expected:.10g}"
        return None

    return compare


def relative(atol: float = 1e-5):
    """A compare function with a tolerance relative to the size of the expected answer
    (``atol`` times its largest magnitude, at least ``atol``), so float32 answers pass."""

    def compare(got, expected):
        scale = max(1.0, float(np.max(np.abs(np.asarray(expected, dtype=float)), initial=0.0)))
        return compare_arrays(np.asarray(got, dtype=float), expected, atol * scale)

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


def with_hints(compare):
    """Wrap ``compare`` so that a wrong answer equal to a known mistake is named.

    Each case's expected value is ``(right, {hint: the output that mistake gives})``: when the
    answer is wrong but matches a mistake's output, the message adds that mistake's hint."""

    def compare_with_hints(got, expected):
        right, mistakes = expected
        problem = compare(got, right)
        if problem is None:
            return None
        for hint, wrong in mistakes.items():
            if compare(got, wrong) is None:
                return f"{problem}; {hint}"
        return problem

    return compare_with_hints
