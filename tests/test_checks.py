"""helpers.checks._core: the shared machinery of every exercise check (notebook checks are tested in
tests/test_checks_nNN.py)."""

import numpy as np

from helpers import checks


def _reference(x):
    return np.cumsum(x, axis=-1)


def _check(function, quiet=False):
    cases = [(f"{n} values", (np.arange(n, dtype=float),), _reference(np.arange(n, dtype=float))) for n in (1, 4, 9)]
    return checks.run("cumulative_sum", function, cases, quiet=quiet)


def test_a_right_answer_passes_and_says_so(capsys):
    result = _check(lambda x: np.cumsum(x, axis=-1))
    assert result and result.passed == result.total == 3
    assert "3/3 cases passed ✓" in capsys.readouterr().out


def test_a_wrong_answer_fails_and_says_where_and_by_how_much(capsys):
    result = _check(lambda x: np.cumsum(x, axis=-1) - x)  # exclusive instead of inclusive
    assert not result and 0 < result.passed < result.total
    out = capsys.readouterr().out
    assert "4 values: largest difference 3 at index (3,)" in out and "expected" in out


def test_a_stub_says_not_yet_and_does_not_raise(capsys):
    def stub(x):
        raise NotImplementedError  # your code here

    result = _check(stub)
    assert not result and result.stub
    assert capsys.readouterr().out.startswith("cumulative_sum: not yet")


def test_crashes_and_wrong_shapes_are_reported_not_raised(capsys):
    assert not _check(lambda x: x[99])
    assert "raised IndexError" in capsys.readouterr().out
    assert not _check(lambda x: np.ones(3))
    assert "shape (3,), expected (1,)" in capsys.readouterr().out
