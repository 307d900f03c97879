"""The exercise checks of notebook 00: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np
import pytest

from helpers import checks

# --- Exercise 1: the length distribution of a bigram model's names ---


def lengths(P, max_length):  # the worked solution
    probs = np.zeros(max_length + 1)
    probs[0] = P[0, 0]
    state = P[0, 1:]
    for n in range(1, max_length + 1):
        probs[n] = state @ P[1:, 0]
        state = state @ P[1:, 1:]
    return probs


def lengths_shifted(P, max_length):  # forgets the empty name: entry n holds n+1 letters
    return np.append(lengths(P, max_length + 1)[1:], 0.0)[: max_length + 1]


def lengths_through_boundary(P, max_length):  # (P^(n+1))[0, 0]: lets a path pass the boundary mid-name
    return np.array([np.linalg.matrix_power(P, n + 1)[0, 0] for n in range(max_length + 1)])


def lengths_counting_the_end(P, max_length):  # the end token counted as a letter
    return np.append(0.0, lengths(P, max_length)[:-1])


def lengths_empty_left_zero(P, max_length):  # forgets the empty name: entry 0 stays 0
    probs = lengths(P, max_length)
    probs[0] = 0.0
    return probs


def test_length_solution_passes_in_float32_too(capsys):
    assert checks.length_distribution(lengths)
    assert checks.length_distribution(lambda P, m: lengths(P, m).astype(np.float32))
    assert "3/3 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    (lengths_shifted, "off by one: your entry n holds names of n+1 letters"),
    (lengths_through_boundary, "which always writes 'ab': largest difference 1 at index (5,)"),
    (lengths_counting_the_end, "off by one: your entry n holds names of n-1 letters"),
    (lengths_through_boundary, "a path must not pass through the boundary"),
    (lengths_empty_left_zero, "random 4x4 table, max_length=6: largest difference"),
    (lengths_empty_left_zero, "(entry 0 is P[0, 0]"),
])
def test_length_mistakes_fail_with_a_specific_message(mistake, message, capsys):
    result = checks.length_distribution(mistake)
    assert not result
    assert message in capsys.readouterr().out


def test_length_hints_fit_the_mistake_they_name(capsys):
    # An answer that adds up to 1 (every length equally likely, as in the notebook's demo of 0.6, or
    # the right answer normalised) is told why the answer's entries add up to less than 1, and is not
    # told about paths through the boundary: that hint is kept for the answer (P^(n+1))[0, 0] gives.
    for mistake in (lambda P, m: np.full(m + 1, 1 / (m + 1)), lambda P, m: lengths(P, m) / lengths(P, m).sum()):
        assert not checks.length_distribution(mistake)
        out = capsys.readouterr().out
        assert "boundary" not in out
        assert ("random 4x4 table, max_length=6: largest difference" in out
                and "your probabilities add up to 1, the answer's to 0.8849: names longer than max_length=6 "
                    "are left out of the array" in out and "do not normalise them" in out)
    assert not checks.length_distribution(lengths_through_boundary)
    out = capsys.readouterr().out
    assert out.count("a path must not pass through the boundary id 0") == 3 and "do not normalise" not in out
    assert not checks.length_distribution(lambda P, m: lengths(P, m) * 1.2)  # too much mass, no known cause
    out = capsys.readouterr().out
    assert "more than the answer's 0.8849)" in out and "boundary" not in out and "normalise" not in out


# --- Exercise 2: the bigram as a softmax layer ---


def softmax_loss(W, counts):  # the worked solution
    z = W - W.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    total = counts.sum()
    return -(counts * log_p).sum() / total, (counts.sum(axis=1, keepdims=True) * np.exp(log_p) - counts) / total


def softmax_loss_tf(W, counts):  # the same in TensorFlow, float32
    tf = pytest.importorskip("tensorflow")
    W = tf.Variable(tf.constant(W, tf.float32))
    counts = tf.constant(counts, tf.float32)
    with tf.GradientTape() as tape:
        loss = -tf.reduce_sum(counts * tf.nn.log_softmax(W, axis=1)) / tf.reduce_sum(counts)
    return loss, tape.gradient(loss, W)


def softmax_loss_wrong_axis(W, counts):  # softmax down the columns
    loss, grad = softmax_loss(W.T, counts.T)
    return loss, grad.T


def softmax_loss_summed(W, counts):  # a sum over characters, not a mean
    loss, grad = softmax_loss(W, counts)
    return loss * counts.sum(), grad * counts.sum()


def softmax_loss_overflows(W, counts):  # no max subtracted before exp
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(W) / np.exp(W).sum(axis=1, keepdims=True)
        total = counts.sum()
        return -(counts * np.log(p)).sum() / total, (counts.sum(axis=1, keepdims=True) * p - counts) / total


def softmax_loss_gradient_ascent(W, counts):  # the gradient of the log-likelihood
    loss, grad = softmax_loss(W, counts)
    return loss, -grad


def softmax_loss_unweighted(W, counts):  # softmax minus frequencies, forgetting each row's count
    loss, _ = softmax_loss(W, counts)
    z = np.exp(W - W.max(axis=1, keepdims=True))
    return loss, z / z.sum(axis=1, keepdims=True) - counts / counts.sum()


def softmax_loss_gradient_over_columns(W, counts):  # right loss, but the gradient's softmax runs down the columns
    loss, _ = softmax_loss(W, counts)
    z = np.exp(W - W.max(axis=0, keepdims=True))
    return loss, (counts.sum(axis=1, keepdims=True) * z / z.sum(axis=0, keepdims=True) - counts) / counts.sum()


def softmax_loss_gradient_summed(W, counts):  # a mean loss, but the gradient of the sum
    loss, grad = softmax_loss(W, counts)
    return loss, grad * counts.sum()


def test_softmax_solution_passes_in_numpy_and_tensorflow(capsys):
    assert checks.softmax_bigram_loss(softmax_loss)
    assert checks.softmax_bigram_loss(softmax_loss_tf)
    assert "4/4 cases passed ✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, message", [
    (softmax_loss_wrong_axis, "random W: loss: got"),
    (softmax_loss_wrong_axis, "(softmax over columns? each row W[previous] is one distribution over the next"),
    (softmax_loss_gradient_over_columns, "random W: grad: largest difference"),
    (softmax_loss_gradient_over_columns, "(softmax over columns? each row W[previous] is one distribution: normalise"),
    (softmax_loss_gradient_summed, "times too big, counts.sum()"),
    (softmax_loss_unweighted, "(not weighted by row counts"),
    (softmax_loss_summed, "(a sum? divide by the number of characters"),
    (softmax_loss_overflows, "large logits (|W| up to 1000: subtract each row's max before exp): loss: got nan"),
    (softmax_loss_gradient_ascent, "(the sign: the gradient of the loss"),
    (softmax_loss_unweighted, "grad: largest difference"),
])
def test_softmax_mistakes_fail_with_a_specific_message(mistake, message, capsys):
    result = checks.softmax_bigram_loss(mistake)
    assert not result
    assert message in capsys.readouterr().out


def test_stubs_say_not_yet_and_crashes_are_reported(capsys):
    def stub(*args):
        raise NotImplementedError  # your code here

    for check in (checks.length_distribution, checks.softmax_bigram_loss):
        result = check(stub)
        assert not result and result.stub
        assert capsys.readouterr().out.startswith(f"{check.__name__}: not yet")
    assert not checks.length_distribution(lambda P, m: P[99])
    assert "raised IndexError" in capsys.readouterr().out
    assert not checks.length_distribution(lambda P, m: np.ones(m))
    assert "shape (6,), expected (7,)" in capsys.readouterr().out
    assert not checks.softmax_bigram_loss(lambda W, counts: W)
    assert "return two things: (loss, grad)" in capsys.readouterr().out
