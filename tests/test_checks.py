"""helpers.checks: a right answer passes, a wrong one fails with a useful difference."""

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
    assert "not implemented yet" in capsys.readouterr().out
    assert not checks.add_k_smoothing(lambda counts, k: counts[99])
    assert "raised IndexError" in capsys.readouterr().out
    assert not checks.add_k_smoothing(lambda counts, k: np.ones(3))  # wrong shape
    assert "shape (3,), expected (6, 6)" in capsys.readouterr().out


def test_hmm_checks_accept_the_reference_and_catch_mistakes(capsys):
    from helpers import hmm

    assert checks.forward(hmm.log_likelihood) and checks.viterbi(hmm.viterbi)

    def unscaled_forward(start, trans, emit, obs):
        alpha = start * emit[:, obs[0]]
        for o in obs[1:]:
            alpha = (alpha @ trans) * emit[:, o]
        return np.log(alpha.sum())

    with np.errstate(divide="ignore"):
        result = checks.forward(unscaled_forward)
    assert not result and result.passed == 2 and "5,000 rolls" in result.failures[0]

    def greedy(start, trans, emit, obs):  # the most likely state at each step on its own
        path = hmm.posteriors(start, trans, emit, obs).argmax(axis=1)
        return path, hmm.viterbi(start, trans, emit, obs)[1]

    assert not checks.viterbi(greedy)
    assert "your path has log probability" in capsys.readouterr().out
