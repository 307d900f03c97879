"""helpers.policy: sequence log-probabilities, the batched sampler and the KL estimate."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import policy


def _log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def test_sequence_log_prob_sums_the_real_positions():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 7)).astype(np.float32)
    tokens = rng.integers(0, 7, (3, 5))
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]], np.float32)
    expected = (np.take_along_axis(_log_softmax(logits.astype(np.float64)), tokens[..., None], -1)[..., 0] * mask).sum(1)
    np.testing.assert_allclose(policy.sequence_log_prob(logits, tokens, mask), expected, rtol=1e-5)
    np.testing.assert_allclose(policy.sequence_log_prob(logits, tokens)[0], expected[0], rtol=1e-5)


@pytest.mark.parametrize("logits, tokens, mask, words", [
    (np.zeros((2, 5)), np.zeros((2, 5), int), None, "(batch, time, vocabulary)"),
    (np.zeros((2, 5, 3)), np.zeros((2, 4), int), None, "must agree"),
    (np.zeros((2, 5, 3)), np.zeros((2, 5)), None, "integer ids"),
    (np.zeros((2, 5, 3)), np.full((2, 5), 3), None, "[0, 3)"),
    (np.zeros((2, 5, 3)), np.zeros((2, 5), int), np.ones((2, 4)), "shape of tokens"),
    (np.zeros((2, 5, 3)), np.zeros((2, 5), int), np.full((2, 5), 0.5), "only 0 and 1"),
])
def test_sequence_log_prob_refuses_bad_input(logits, tokens, mask, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        policy.sequence_log_prob(np.asarray(logits, np.float32), tokens, mask)


def test_mask_after_end():
    tokens = np.array([[3, 4, 2, 0, 0], [3, 3, 3, 3, 3], [2, 0, 0, 0, 0]])
    np.testing.assert_array_equal(policy.mask_after_end(tokens, 2),
                                  [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])


def _bigram_step(table):
    table = tf.constant(table, tf.float32)

    def step(tokens, state):
        return tf.gather(table, tokens), state

    return step


def test_sample_matches_the_model_and_its_log_probs_agree_with_teacher_forcing():
    # vocabulary: 0 pad, 1 start, 2 end, 3 'a', 4 'b'
    rng = np.random.default_rng(1)
    table = rng.normal(size=(5, 5)).astype(np.float32)
    step = _bigram_step(table)
    out = policy.sample(step, tf.zeros(()), 4000, 1, 2, 6, seed=[0, 1], banned=(0, 1))
    tokens, mask = out.tokens.numpy(), out.mask.numpy()
    assert tokens.shape == mask.shape == (4000, 6) and out.log_probs.shape == (4000,)
    assert not np.isin(tokens[mask > 0], (0, 1)).any(), "banned ids never drawn"
    np.testing.assert_array_equal(mask, policy.mask_after_end(tokens, 2))
    assert (tokens[mask == 0] == 0).all(), "padding after END"
    # the first token's frequencies follow softmax(table[start]) without the banned ids
    first = np.where(np.isin(np.arange(5), (0, 1)), -np.inf, table[1])
    p = np.exp(first - first.max())
    p /= p.sum()
    freq = np.bincount(tokens[:, 0], minlength=5) / len(tokens)
    assert np.abs(freq - p).max() < 0.03
    # log-probs = teacher-forced sequence log-prob under the same (banned-masked) table
    masked = np.where(np.isin(np.arange(5), (0, 1)), np.float32(np.finfo(np.float32).min), table)
    inputs = np.concatenate([np.ones((len(tokens), 1), int), tokens[:, :-1]], 1)
    logits = masked[inputs]
    np.testing.assert_allclose(policy.sequence_log_prob(logits, tokens, mask), out.log_probs, rtol=1e-4, atol=1e-4)
    again = policy.sample(step, tf.zeros(()), 4000, 1, 2, 6, seed=[0, 1], banned=(0, 1))
    np.testing.assert_array_equal(again.tokens, tokens)


def test_sample_log_probs_carry_gradients_and_run_in_tf_function():
    weights = tf.Variable(tf.zeros((5, 5)))

    def step(tokens, state):
        return tf.gather(weights, tokens), state

    @tf.function
    def loss(seed):
        with tf.GradientTape() as tape:
            out = policy.sample(step, tf.zeros(()), 16, 1, 2, 4, seed=seed, banned=(0, 1))
            value = tf.reduce_mean(out.log_probs)
        return tf.convert_to_tensor(tape.gradient(value, weights))

    grad = loss(tf.constant([3, 4]))
    assert np.isfinite(grad.numpy()).all() and np.abs(grad.numpy()).sum() > 0


@pytest.mark.parametrize("kwargs, words", [
    ({"batch_size": 0}, "batch_size"), ({"max_length": 0}, "max_length"), ({"temperature": 0.0}, "temperature"),
    ({"seed": [1, 2, 3]}, "seed"), ({"banned": (2,)}, "banned"),
    ({"start_id": 9}, "start_id 9"), ({"end_id": 7}, "end_id 7 is not a token id"),
    ({"end_id": -1}, "end_id must hold"), ({"pad_id": 5}, "pad_id 5 is not a token id"),
    ({"banned": (99,)}, "banned .99,. is not a token id"),
])
def test_sample_refuses_bad_input(kwargs, words):
    args = {"batch_size": 4, "max_length": 3, "seed": [0, 0], "banned": (), "start_id": 1, "end_id": 2} | kwargs
    with pytest.raises(ValueError, match=words):
        policy.sample(_bigram_step(np.zeros((5, 5))), tf.zeros(()), **args)


def test_sample_refuses_an_out_of_vocabulary_start_id_inside_tf_function():
    @tf.function
    def run():
        return policy.sample(_bigram_step(np.zeros((5, 5))), tf.zeros(()), 4, 7, 2, 3, seed=[0, 0]).tokens

    with pytest.raises(ValueError, match="start_id 7 is not a token id"):
        run()


def test_sample_seeds_one_step_apart_are_not_shifted_copies():
    # the notebook seeds training step k with [s, k]: step k + 1 must not reuse step k's noise one
    # position later (with seed + [0, t] per position it did). Uniform logits: tokens are the noise.
    step = _bigram_step(np.zeros((5, 5)))
    a = policy.sample(step, tf.zeros(()), 2000, 1, 4, 8, seed=[3, 0]).tokens.numpy()
    b = policy.sample(step, tf.zeros(()), 2000, 1, 4, 8, seed=[3, 1]).tokens.numpy()
    live = (a[:, 1:-1] != 0) & (b[:, :-2] != 0)
    agree = np.mean(a[:, 1:-1][live] == b[:, :-2][live])  # position t + 1 of one against t of the other
    assert agree < 0.4, f"shifted copies: {agree:.0%} agree (independent draws agree about 1/4 of the time)"
    assert np.mean(a == b) < 0.6


def test_kl_estimate_is_unbiased_on_two_categoricals():
    rng = np.random.default_rng(2)
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    exact = float((p * np.log(p / q)).sum())
    x = rng.choice(3, size=200_000, p=p)
    for estimator in ("k1", "k3"):
        estimate = float(policy.kl_estimate(np.log(p[x]), np.log(q[x]), estimator))
        assert abs(estimate - exact) < 0.01, estimator
    assert float(policy.kl_estimate(np.log(p[x]), np.log(p[x]))) == 0.0


@pytest.mark.parametrize("log_p, log_q, estimator, words", [
    (np.zeros(3), np.zeros(4), "k1", "both be"), (np.zeros((2, 2)), np.zeros((2, 2)), "k1", "both be"),
    (np.zeros(0), np.zeros(0), "k1", "empty"), (np.zeros(3), np.zeros(3), "k2", "estimator"),
])
def test_kl_estimate_refuses_bad_input(log_p, log_q, estimator, words):
    with pytest.raises(ValueError, match=words):
        policy.kl_estimate(log_p, log_q, estimator)


@pytest.mark.parametrize("log_p, log_q, words", [
    ("abc", np.zeros(3), "log_p must be numbers"), (None, np.zeros(3), "log_p must be numbers, .* NoneType"),
    (np.zeros(3), ["a", "b", "c"], "log_q must be numbers"), (np.zeros(2), np.array([True, False]), "log_q .* bool"),
])
def test_kl_estimate_refuses_non_numbers_naming_the_argument(log_p, log_q, words):
    with pytest.raises(TypeError, match=words):
        policy.kl_estimate(log_p, log_q)


@pytest.mark.parametrize("which", ["log_p", "log_q"])
def test_kl_estimate_refuses_nan_saying_the_model_has_diverged(which):
    values = {"log_p": np.array([-1.0, -2.0, -3.0]), "log_q": np.array([-1.5, -2.5, -3.5])}
    values[which][1] = np.nan
    for estimator in ("k1", "k3"):
        with pytest.raises(ValueError, match=f"{which} holds 1 NaN of 3 .first at sample 1.: the model has probably "
                                             "diverged"):
            policy.kl_estimate(values["log_p"], values["log_q"], estimator)


def test_kl_estimate_accepts_integers_float64_and_minus_infinity():
    assert float(policy.kl_estimate([0, -1], [0, -2])) == 0.5
    assert float(policy.kl_estimate(tf.constant([0.0, -1.0], tf.float64), [0.0, -2.0])) == 0.5
    assert float(policy.kl_estimate([0.0, -1.0], [0.0, -np.inf])) == np.inf  # q rules a sample out: infinite KL
