"""The exercise checks of notebook 06: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np
import tensorflow as tf

from helpers import checks


def group_advantages(rewards, group_size, eps=1e-6, ddof=0):
    groups = np.asarray(rewards, dtype=np.float64).reshape(-1, group_size)
    centred = groups - groups.mean(axis=1, keepdims=True)
    return (centred / (groups.std(axis=1, ddof=ddof, keepdims=True) + eps)).reshape(-1)


def group_advantages_tf(rewards, group_size):
    groups = tf.reshape(tf.convert_to_tensor(rewards, tf.float32), (-1, group_size))
    mean, var = tf.nn.moments(groups, axes=[1], keepdims=True)
    return tf.reshape((groups - mean) / (tf.sqrt(var) + 1e-6), [-1])


def test_group_advantages_accepts_numpy_and_float32_tf_answers(capsys):
    assert checks.group_advantages(group_advantages)
    assert checks.group_advantages(group_advantages_tf)


def _transposed(r, k):  # groups read as columns of (k, -1): interleaved groups
    groups = np.reshape(np.asarray(r, np.float64), (k, -1))
    return ((groups - groups.mean(axis=0)) / (groups.std(axis=0) + 1e-6)).reshape(-1)


def test_group_advantages_catches_whole_batch_transposed_groups_missing_eps_and_missing_std(capsys):
    whole_batch = lambda r, k: (r - r.mean()) / (r.std() + 1e-6)  # noqa: E731  one group for everything
    assert not checks.group_advantages(whole_batch)
    out = capsys.readouterr().out
    assert "largest difference" in out and "normalised over the whole batch" in out
    assert not checks.group_advantages(_transposed)
    assert "reshape to (-1, group_size)" in capsys.readouterr().out
    assert not checks.group_advantages(lambda r, k: group_advantages(r, k, ddof=1))
    assert "sample standard deviation (ddof=1)" in capsys.readouterr().out
    no_eps = lambda r, k: group_advantages(r, k, eps=0.0)  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        assert not checks.group_advantages(no_eps)
    out = capsys.readouterr().out
    assert "constant group" in out and "add eps" in out
    no_std = lambda r, k: (np.reshape(r, (-1, k)) - np.reshape(r, (-1, k)).mean(1, keepdims=True)).reshape(-1)  # noqa: E731
    assert not checks.group_advantages(no_std)
    out = capsys.readouterr().out
    assert "scaled" in out and "only subtracted the group mean" in out


def ipo(pc, pr, rc, rr, tau):
    h = (pc - rc) - (pr - rr)
    return np.mean((h - 1 / (2 * tau)) ** 2)


def test_ipo_loss_passes_numpy_and_tf(capsys):
    assert checks.ipo_loss(ipo)
    assert checks.ipo_loss(lambda pc, pr, rc, rr, tau: tf.reduce_mean(((pc - rc) - (pr - rr) - 0.5 / tau) ** 2))


def test_ipo_loss_catches_swapped_pairs_missing_reference_and_target_without_half(capsys):
    swapped = lambda pc, pr, rc, rr, tau: ipo(pr, pc, rr, rc, tau)  # noqa: E731
    assert not checks.ipo_loss(swapped)
    assert "chosen and rejected are swapped" in capsys.readouterr().out
    no_reference = lambda pc, pr, rc, rr, tau: np.mean((pc - pr - 1 / (2 * tau)) ** 2)  # noqa: E731
    assert not checks.ipo_loss(no_reference)
    assert "reference log-probabilities are missing" in capsys.readouterr().out
    no_half = lambda pc, pr, rc, rr, tau: np.mean(((pc - rc) - (pr - rr) - 1 / tau) ** 2)  # noqa: E731
    assert not checks.ipo_loss(no_half)
    out = capsys.readouterr().out
    assert "tau=0.1: got" in out and "1/(2 tau), not 1/tau" in out
    summed = lambda pc, pr, rc, rr, tau: np.sum(((pc - rc) - (pr - rr) - 1 / (2 * tau)) ** 2)  # noqa: E731
    assert not checks.ipo_loss(summed)
    assert "summed over the pairs" in capsys.readouterr().out
    per_pair = lambda pc, pr, rc, rr, tau: ((pc - rc) - (pr - rr) - 1 / (2 * tau)) ** 2  # noqa: E731  no mean
    assert not checks.ipo_loss(per_pair)
    assert "expected one number" in capsys.readouterr().out


def entropy(logits, mask, axis=-1, use_mask=True, sign=1.0, log=None, unit=1.0, mean=False):
    log_p = tf.nn.log_softmax(logits, axis=axis)
    h = -sign * tf.reduce_sum(tf.exp(log_p) * (log_p if log is None else log), axis=-1) / unit
    total = tf.reduce_sum(h * mask if use_mask else h, axis=-1)
    return total / tf.reduce_sum(mask, axis=-1) if mean else total


def test_entropy_bonus_passes_tf_float32(capsys):
    assert checks.entropy_bonus(entropy)


def test_entropy_bonus_catches_wrong_axis_no_mask_wrong_sign_bits_logits_and_mean(capsys):
    mistakes = {
        "softmax over the wrong axis": lambda logits, mask: entropy(logits, mask, axis=1),  # softmax over time
        "the padding counts": lambda logits, mask: entropy(logits, mask, use_mask=False),
        "wrong sign": lambda logits, mask: entropy(logits, mask, sign=-1.0),
        "in bits": lambda logits, mask: entropy(logits, mask, unit=np.log(2.0)),
        "used the logits as log p": lambda logits, mask: entropy(logits, mask, log=logits),
        "averaged over the real positions": lambda logits, mask: entropy(logits, mask, mean=True),
    }
    for hint, wrong in mistakes.items():
        assert not checks.entropy_bonus(wrong)
        out = capsys.readouterr().out
        assert "largest difference" in out and hint in out, hint
        others = [h for h in mistakes if h != hint]
        assert not any(h in out for h in others), (hint, out)  # only the right mistake is named
