"""The exercise checks of notebook 01: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


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
