"""The exercise checks of notebook 00: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


def right(counts, k):
    smoothed = counts + k
    return smoothed / smoothed.sum(axis=1, keepdims=True)


def test_a_right_answer_passes(capsys):
    result = checks.add_k_smoothing(right)
    assert result and result.passed == result.total == 4
    assert "4/4 cases passed ✓" in capsys.readouterr().out


def test_a_wrong_answer_fails_and_says_by_how_much(capsys):
    result = checks.add_k_smoothing(lambda counts, k: (counts + 1) / (counts + 1).sum(axis=1, keepdims=True))
    assert not result and 0 < result.passed < result.total
    out = capsys.readouterr().out
    assert "k=0.5: largest difference" in out and "expected" in out


def test_stubs_and_crashes_are_reported_not_raised(capsys):
    def stub(counts, k):
        raise NotImplementedError

    assert not checks.add_k_smoothing(stub)
    assert "add_k_smoothing: not yet" in capsys.readouterr().out
    assert not checks.add_k_smoothing(lambda counts, k: counts[99])
    assert "raised IndexError" in capsys.readouterr().out
    assert not checks.add_k_smoothing(lambda counts, k: np.ones(3))  # wrong shape
    assert "shape (3,), expected (6, 6)" in capsys.readouterr().out
