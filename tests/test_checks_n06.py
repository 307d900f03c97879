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


def test_group_advantages_catches_whole_batch_transposed_groups_missing_eps_and_missing_std(capsys):
    whole_batch = lambda r, k: (r - r.mean()) / (r.std() + 1e-6)  # noqa: E731  one group for everything
    assert not checks.group_advantages(whole_batch)
    assert "largest difference" in capsys.readouterr().out
    transposed = lambda r, k: group_advantages(np.reshape(r, (k, -1)).T.reshape(-1), k)  # noqa: E731  interleaved groups
    assert not checks.group_advantages(transposed)
    assert "largest difference" in capsys.readouterr().out
    no_eps = lambda r, k: group_advantages(r, k, eps=0.0)  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        assert not checks.group_advantages(no_eps)
    out = capsys.readouterr().out
    assert "constant group" in out and "add eps" in out
    no_std = lambda r, k: (np.reshape(r, (-1, k)) - np.reshape(r, (-1, k)).mean(1, keepdims=True)).reshape(-1)  # noqa: E731
    assert not checks.group_advantages(no_std)
    assert "scaled" in capsys.readouterr().out


def ipo(pc, pr, rc, rr, tau):
    h = (pc - rc) - (pr - rr)
    return np.mean((h - 1 / (2 * tau)) ** 2)


def test_ipo_loss_passes_numpy_and_tf(capsys):
    assert checks.ipo_loss(ipo)
    assert checks.ipo_loss(lambda pc, pr, rc, rr, tau: tf.reduce_mean(((pc - rc) - (pr - rr) - 0.5 / tau) ** 2))


def test_ipo_loss_catches_swapped_pairs_missing_reference_and_target_without_half(capsys):
    swapped = lambda pc, pr, rc, rr, tau: ipo(pr, pc, rr, rc, tau)  # noqa: E731
    assert not checks.ipo_loss(swapped)
    assert "expected" in capsys.readouterr().out
    no_reference = lambda pc, pr, rc, rr, tau: np.mean((pc - pr - 1 / (2 * tau)) ** 2)  # noqa: E731
    assert not checks.ipo_loss(no_reference)
    assert "got" in capsys.readouterr().out
    no_half = lambda pc, pr, rc, rr, tau: np.mean(((pc - rc) - (pr - rr) - 1 / tau) ** 2)  # noqa: E731
    assert not checks.ipo_loss(no_half)
    assert "tau=0.1: got" in capsys.readouterr().out
    per_pair = lambda pc, pr, rc, rr, tau: ((pc - rc) - (pr - rr) - 1 / (2 * tau)) ** 2  # noqa: E731  no mean
    assert not checks.ipo_loss(per_pair)
    assert "expected one number" in capsys.readouterr().out


def entropy(logits, mask, axis=-1, use_mask=True, sign=1.0):
    log_p = tf.nn.log_softmax(logits, axis=axis)
    h = -sign * tf.reduce_sum(tf.exp(log_p) * log_p, axis=-1)
    return tf.reduce_sum(h * mask if use_mask else h, axis=-1)


def test_entropy_bonus_passes_tf_float32(capsys):
    assert checks.entropy_bonus(entropy)


def test_entropy_bonus_catches_wrong_axis_no_mask_and_wrong_sign(capsys):
    assert not checks.entropy_bonus(lambda logits, mask: entropy(logits, mask, axis=1))  # softmax over time
    assert "largest difference" in capsys.readouterr().out
    assert not checks.entropy_bonus(lambda logits, mask: entropy(logits, mask, use_mask=False))  # padding counted
    assert "largest difference" in capsys.readouterr().out
    assert not checks.entropy_bonus(lambda logits, mask: entropy(logits, mask, sign=-1.0))
    assert "entropies are positive" in capsys.readouterr().out


def test_stubs_say_not_yet_and_do_not_raise(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (checks.group_advantages, checks.ipo_loss, checks.entropy_bonus):
        result = check(stub)
        assert not result and result.stub
    assert capsys.readouterr().out.count("not yet") == 3
