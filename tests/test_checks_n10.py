"""The exercise checks of notebook 10: the worked solution passes, typical mistakes fail with a
specific message, a stub says "not yet"."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import checks, mcmc


def acceptance(log_p, x, y, mistake=None):
    hastings = np.log(y) - np.log(x)  # q(x | x') / q(x' | x) = x' / x
    if mistake == "no hastings":
        hastings = 0.0
    elif mistake == "reversed":
        hastings = -hastings
    ratio = log_p(y) - log_p(x) + hastings
    if mistake == "no min":
        return ratio
    if mistake == "min 1":
        return np.minimum(1.0, ratio)
    log_alpha = np.minimum(0.0, ratio)
    return np.exp(log_alpha) if mistake == "alpha" else log_alpha


def acceptance_tf(log_p, x, y):  # float32 TensorFlow answers pass too
    ratio = tf.constant(log_p(y) - log_p(x) + np.log(y) - np.log(x), tf.float32)
    return tf.minimum(0.0, ratio)


@pytest.mark.parametrize(("mistake", "message"), [
    ("no hastings", "the Hastings correction is missing"),
    ("reversed", "the Hastings correction is upside down"),
    ("no min", "a probability is at most 1, and min(1, .) in log space is min(0, .)"),
    ("min 1", "min(1, .) in log space is min(0, .): log 1 = 0"),
    ("alpha", "return log alpha, not alpha"),
])
def test_lognormal_log_acceptance(mistake, message, capsys):
    assert checks.lognormal_log_acceptance(acceptance) and checks.lognormal_log_acceptance(acceptance_tf)
    capsys.readouterr()
    assert not checks.lognormal_log_acceptance(lambda *a: acceptance(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "Gamma(3, 1) target: largest difference" in out and message in out


def test_the_corrected_lognormal_walk_samples_its_target():
    # the reason for the exercise: with the correction the chain's mean is the Gamma(3, 1) mean 3; without, it is biased low
    log_p = lambda x: 2 * np.log(x[:, 0]) - x[:, 0]  # noqa: E731
    walk = lambda x, rng: x * np.exp(0.8 * rng.normal(size=x.shape))  # noqa: E731
    right = mcmc.metropolis_hastings(log_p, np.ones((100, 1)), walk, 2000, 0,
                                     log_hastings=lambda x, y: np.log(y[:, 0] / x[:, 0]))
    wrong = mcmc.metropolis_hastings(log_p, np.ones((100, 1)), walk, 2000, 1)
    assert abs(right.samples[500:].mean() - 3.0) < 0.15 and wrong.samples[500:].mean() < 2.5


def swap_change(counts, log_probs, key, i, j, mistake=None):
    full = np.concatenate([[0], key + 1])
    new = full.copy()
    a, b = (i, j) if mistake == "no offset" else (i + 1, j + 1)
    new[a], new[b] = full[b], full[a]
    touched = np.zeros(27, bool)
    touched[[a, b]] = True
    change = 0.0
    for s in (a, b):  # rows: bigrams starting with a or b
        change += np.sum(counts[s] * (log_probs[new[s], new] - log_probs[full[s], full]))
    if mistake != "rows only":
        for s in (a, b):  # columns, without the bigrams among a and b (already in the rows)
            rows = ~touched if mistake != "double" else np.ones(27, bool)
            change += np.sum(counts[rows, s] * (log_probs[new[rows], new[s]] - log_probs[full[rows], full[s]]))
    return -change if mistake == "sign" else change


@pytest.mark.parametrize(("mistake", "message"), [
    ("sign", "the sign is flipped"),
    ("no offset", "letter i is symbol i + 1 among the 27"),
    ("rows only", "only the rows of the two letters changed"),
    ("double", "are counted twice"),
])
def test_swap_change(mistake, message, capsys):
    assert checks.swap_change(swap_change)
    capsys.readouterr()
    assert not checks.swap_change(lambda *a: swap_change(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "1000 cipher characters, swap letters 4 and 19: largest difference" in out and message in out


def pll(logits_fn, ids, mask_id, mistake=None):
    n, length = ids.shape
    copies = np.repeat(ids[:, None], length, axis=1)  # (n, T copies, T)
    if mistake != "no mask":
        copies[:, np.arange(length), np.arange(length)] = mask_id
    logits = np.asarray(logits_fn(copies.reshape(n * length, length))).reshape(n, length, length, -1)
    z = logits[:, np.arange(length), np.arange(length)]  # (n, T, V): position t of copy t
    log_p = z if mistake == "no softmax" else np.asarray(tf.nn.log_softmax(z.astype(np.float32), axis=-1))
    per_position = np.take_along_axis(log_p, ids[..., None], axis=-1)[..., 0]
    return per_position.mean(axis=1) if mistake == "mean" else per_position.sum(axis=1)


@pytest.mark.parametrize(("mistake", "message"), [
    ("no mask", "the character being scored was not hidden"),
    ("no softmax", "logits are not log-probabilities"),
    ("mean", "the pseudo-log-likelihood is the sum over the positions, not the mean"),
])
def test_pseudo_log_likelihood(mistake, message, capsys):
    assert checks.pseudo_log_likelihood(pll)  # a float32 log-softmax passes
    capsys.readouterr()
    assert not checks.pseudo_log_likelihood(lambda *a: pll(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "3 texts of 12 characters, vocabulary 7: largest difference" in out and message in out
