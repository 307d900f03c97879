"""The exercise checks of notebook 10: the worked solution passes, typical mistakes fail with a
specific message, a stub says "not yet"."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import checks


def acceptance(log_p, log_q, x, y, mistake=None):
    hastings = log_q(y, x) - log_q(x, y)
    if mistake == "no hastings":
        hastings = 0.0
    elif mistake == "reversed":
        hastings = -hastings
    ratio = log_p(y) - log_p(x) + hastings
    return ratio if mistake == "no min" else np.minimum(0.0, ratio)


def acceptance_tf(log_p, log_q, x, y):  # float32 TensorFlow answers pass too
    ratio = tf.constant(log_p(y) - log_p(x) + log_q(y, x) - log_q(x, y), tf.float32)
    return tf.minimum(0.0, ratio)


@pytest.mark.parametrize(("mistake", "message"), [
    ("no hastings", "the Hastings correction log q(x | x') - log q(x' | x) is missing"),
    ("reversed", "the proposal densities are the wrong way round"),
    ("no min", "a probability is at most 1"),
])
def test_mh_log_acceptance(mistake, message, capsys):
    assert checks.mh_log_acceptance(acceptance) and checks.mh_log_acceptance(acceptance_tf)
    capsys.readouterr()
    assert not checks.mh_log_acceptance(lambda *a: acceptance(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "Gamma target, log-normal proposal: largest difference" in out and message in out


def swap_change(counts, log_probs, key, i, j, mistake=None):
    full = np.concatenate([[0], key + 1])
    new = full.copy()
    a, b = i + 1, j + 1
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
    return np.take_along_axis(log_p, ids[..., None], axis=-1)[..., 0].sum(axis=1)


@pytest.mark.parametrize(("mistake", "message"), [
    ("no mask", "the character being scored was not hidden"),
    ("no softmax", "logits are not log-probabilities"),
])
def test_pseudo_log_likelihood(mistake, message, capsys):
    assert checks.pseudo_log_likelihood(pll)  # a float32 log-softmax passes
    capsys.readouterr()
    assert not checks.pseudo_log_likelihood(lambda *a: pll(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "3 texts of 12 characters, vocabulary 7: largest difference" in out and message in out


def test_stubs_say_not_yet(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (checks.mh_log_acceptance, checks.swap_change, checks.pseudo_log_likelihood):
        result = check(stub)
        assert not result and result.stub
    assert capsys.readouterr().out.count("not yet") == 3
