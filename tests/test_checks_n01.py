"""The exercise checks of notebook 01: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np
import pytest
from scipy.special import logsumexp

from helpers import checks, hmm

# --- Exercise 1: the backward pass in log space ---


def log_backward(start, trans, emit, obs):  # the worked solution
    with np.errstate(divide="ignore"):
        log_trans, log_emit = np.log(trans), np.log(emit)
    log_beta = np.zeros((len(obs), len(start)))
    for t in range(len(obs) - 2, -1, -1):
        log_beta[t] = logsumexp(log_trans + log_emit[:, obs[t + 1]] + log_beta[t + 1], axis=1)
    return log_beta


def test_the_reference_agrees_with_the_helpers_posteriors():
    """log alpha + log beta - log p(obs) are the log posteriors of helpers.hmm."""
    for _, (start, trans, emit), obs in checks.n01._hmm_cases():
        with np.errstate(divide="ignore"):
            log_alpha = np.log(start) + np.log(emit[:, obs[0]])
            rows = [log_alpha]
            for o in obs[1:]:
                log_alpha = logsumexp(log_alpha[:, None] + np.log(trans), axis=0) + np.log(emit[:, o])
                rows.append(log_alpha)
        log_post = np.array(rows) + log_backward(start, trans, emit, obs) - hmm.log_likelihood(start, trans, emit, obs)
        assert np.allclose(np.exp(log_post), hmm.posteriors(start, trans, emit, obs), atol=1e-9)


def log_backward_transposed(start, trans, emit, obs):
    return log_backward(start, trans.T, emit, obs)


def log_backward_emission_at_t(start, trans, emit, obs):  # uses x_t where x_{t+1} belongs
    with np.errstate(divide="ignore"):
        log_trans, log_emit = np.log(trans), np.log(emit)
    log_beta = np.zeros((len(obs), len(start)))
    for t in range(len(obs) - 2, -1, -1):
        log_beta[t] = logsumexp(log_trans + log_emit[:, obs[t]] + log_beta[t + 1], axis=1)
    return log_beta


def log_backward_in_probabilities(start, trans, emit, obs):  # plain probabilities, log at the end
    beta = np.ones((len(obs), len(start)))
    for t in range(len(obs) - 2, -1, -1):
        beta[t] = trans @ (emit[:, obs[t + 1]] * beta[t + 1])
    with np.errstate(divide="ignore"):
        return np.log(beta)


def log_backward_last_row_emission(start, trans, emit, obs):  # starts from log B[:, x_T] instead of 0
    log_beta = log_backward(start, trans, emit, obs)
    return log_beta + np.log(emit[:, obs[-1]])


def log_backward_scaled(start, trans, emit, obs):  # the log of the lesson's scaled beta-hat
    c = np.empty(len(obs))
    a = start * emit[:, obs[0]]
    for t in range(len(obs)):
        if t > 0:
            a = (a @ trans) * emit[:, obs[t]]
        c[t] = a.sum()
        a = a / c[t]
    beta = np.ones((len(obs), len(start)))
    for t in range(len(obs) - 2, -1, -1):
        beta[t] = trans @ (emit[:, obs[t + 1]] * beta[t + 1]) / c[t + 1]
    with np.errstate(divide="ignore"):
        return np.log(beta)


def test_log_backward_solution_passes_in_float32_too(capsys):
    assert checks.log_backward(log_backward)
    assert checks.log_backward(lambda *args: log_backward(*args).astype(np.float32))
    assert "3/3 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    (log_backward_transposed, "casino, 20 rolls: largest difference"),
    (log_backward_emission_at_t, "casino, 20 rolls: largest difference"),
    (log_backward_in_probabilities, "(-inf where the answer is finite: underflow?"),
    (log_backward_last_row_emission, "(the last row is log beta_T = log 1 = 0"),
    (log_backward_scaled, "casino, 20 rolls: largest difference"),
    (log_backward_scaled, "(that is log beta-hat, the log of the lesson's scaled beta: add the sum of log c_s"),
])
def test_log_backward_mistakes_fail_with_a_specific_message(mistake, message, capsys):
    with np.errstate(divide="ignore", under="ignore"):
        result = checks.log_backward(mistake)
    assert not result
    assert message in capsys.readouterr().out


# --- Exercise 2: the stationary distribution ---


def stationary(trans):  # the worked solution
    values, vectors = np.linalg.eig(trans.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    return pi / pi.sum()


def stationary_by_power_iteration(trans):
    pi = np.full(len(trans), 1 / len(trans))
    for _ in range(5000):
        pi = pi @ trans
    return pi


def stationary_too_few_steps(trans):  # power iteration stopped after 20 steps
    pi = np.full(len(trans), 1 / len(trans))
    for _ in range(20):
        pi = pi @ trans
    return pi


def stationary_right_eigenvector(trans):
    return stationary(trans.T)


def stationary_unnormalised(trans):  # numpy's unit-length eigenvector, not a distribution
    values, vectors = np.linalg.eig(trans.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    return np.abs(pi)


def stationary_first_eigenvector(trans):  # takes column 0, whatever its eigenvalue
    onward = np.array([[0.02, 0.98, 0.0], [0.0, 0.1, 0.9], [0.7, 0.0, 0.3]])
    if np.isclose(np.linalg.eig(onward.T)[0][0], 1):
        pytest.skip("this LAPACK lists eigenvalue 1 first, so the mistake goes unnoticed here")
    vectors = np.linalg.eig(trans.T)[1]
    return np.real(vectors[:, 0] / vectors[:, 0].sum())


def test_stationary_solutions_pass(capsys):
    assert checks.stationary_distribution(stationary)
    assert checks.stationary_distribution(stationary_by_power_iteration)
    assert "4/4 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    (stationary_right_eigenvector, "(all equal: that is a right eigenvector"),
    (stationary_unnormalised, "a distribution sums to 1; divide by the sum)"),
    (stationary_too_few_steps, "fair -> loaded six -> loaded one -> fair: largest difference"),
    (stationary_too_few_steps, "(not converged: one more step, pi @ trans, still moves it by"),
    (stationary_first_eigenvector, "a -> b -> c -> a (complex eigenvalues): largest difference"),
])
def test_stationary_mistakes_fail_with_a_specific_message(mistake, message, capsys):
    result = checks.stationary_distribution(mistake)
    assert not result
    assert message in capsys.readouterr().out


def test_stubs_say_not_yet_and_do_not_raise(capsys):
    def stub(*args):
        raise NotImplementedError  # your code here

    for check in (checks.log_backward, checks.stationary_distribution):
        result = check(stub)
        assert not result and result.stub
        assert capsys.readouterr().out.startswith(f"{check.__name__}: not yet")
