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
    assert "add_k_smoothing: not yet" in capsys.readouterr().out
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


def test_recurrent_cell_checks_accept_keras_conventions_and_catch_swapped_gates(capsys):
    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    def gru(x, h, kernel, recurrent, bias, swap=False):
        xz, xr, xn = np.split(x @ kernel + bias[0], 3, axis=1)
        hz, hr, hn = np.split(h @ recurrent + bias[1], 3, axis=1)
        z, r = sigmoid(xz + hz), sigmoid(xr + hr)
        z, r = (r, z) if swap else (z, r)
        n = np.tanh(xn + r * hn)
        return z * h + (1 - z) * n

    def lstm(x, h, c, kernel, recurrent, bias):
        i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c

    assert checks.gru_step(gru) and checks.lstm_step(lstm)
    assert not checks.gru_step(lambda *args: gru(*args, swap=True))
    assert not checks.lstm_step(lambda x, h, c, k, r, b: lstm(x, h, c, k, r, b)[::-1])
    assert "h_new: largest difference" in capsys.readouterr().out  # (c, h) swapped: h_new is off first


def test_attention_and_beam_checks_catch_a_missing_mask_and_a_wrong_order():
    def attention(query, keys, mask, w_query, w_keys, v, use_mask=True):
        scores = np.tanh(keys @ w_keys + (query @ w_query)[:, None]) @ v
        scores = np.where(mask, scores, -np.inf) if use_mask else scores
        weights = np.exp(scores - scores.max(1, keepdims=True))
        weights /= weights.sum(1, keepdims=True)
        return (weights[:, :, None] * keys).sum(1), weights

    assert checks.additive_attention(attention)
    assert not checks.additive_attention(lambda *args: attention(*args, use_mask=False))

    def step(scores, log_probs, width, best_first=True):
        batch, k, vocabulary = log_probs.shape
        flat = (scores[:, :, None] + log_probs).reshape(batch, -1)
        best = np.argsort(-flat if best_first else flat, axis=1)[:, :width]
        return np.take_along_axis(flat, best, 1), best // vocabulary, best % vocabulary

    assert checks.beam_step(step)
    assert not checks.beam_step(lambda *args: step(*args, best_first=False))


def test_transformer_checks_accept_right_answers_and_catch_transposed_ones():
    assert checks.causal_mask(lambda n: np.tril(np.ones((n, n), bool)))
    assert not checks.causal_mask(lambda n: np.triu(np.ones((n, n), bool)))
    assert not checks.causal_mask(lambda n: np.tril(np.ones((n, n))))  # not booleans

    def split(x, heads):
        b, t, m = x.shape
        return x.reshape(b, t, heads, m // heads).transpose(0, 2, 1, 3)

    assert checks.split_heads(split)
    assert not checks.split_heads(lambda x, heads: x.reshape(x.shape[0], heads, x.shape[1], -1))
    assert checks.merge_heads(lambda x: x.transpose(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1))
    assert not checks.merge_heads(lambda x: x.reshape(x.shape[0], x.shape[2], -1))


def test_gpt_checks_catch_an_off_by_one():
    from helpers import sampling

    assert checks.top_k(sampling.top_k_filter)
    assert not checks.top_k(lambda logits, k: sampling.top_k_filter(logits, k + 1) if k < logits.shape[1] else logits)

    def update(cache, new, position, shift=0):
        out = np.array(cache)
        out[:, :, position + shift] = np.asarray(new)[:, :, 0]
        return out

    assert checks.cache_update(update)
    assert not checks.cache_update(lambda c, n, p: update(c, n, p, shift=-1 if p else 0))


def test_vae_checks_accept_tensorflow_answers_and_catch_common_slips():
    import tensorflow as tf

    assert checks.reparameterise(lambda mu, log_var, eps: mu + tf.exp(0.5 * log_var) * eps, quiet=True)
    assert not checks.reparameterise(lambda mu, log_var, eps: mu + tf.exp(log_var) * eps, quiet=True)  # variance, not sigma
    kl = lambda mu, log_var: 0.5 * tf.reduce_sum(tf.exp(log_var) + mu**2 - 1 - log_var, axis=-1)  # noqa: E731
    assert checks.gaussian_kl(kl, quiet=True)
    assert not checks.gaussian_kl(lambda mu, log_var: tf.reduce_mean(kl(mu, log_var)), quiet=True)  # not per code


def test_gan_checks_need_the_input_gradient_and_a_stable_loss():
    import tensorflow as tf

    def penalty(critic, real, fake, eps):
        x = tf.constant(eps * real + (1 - eps) * fake)
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = critic(x)
        grad = tape.gradient(score, x)
        norm = tf.sqrt(tf.reduce_sum(grad**2, axis=list(range(1, len(x.shape)))))
        return tf.reduce_mean((norm - 1) ** 2)

    assert checks.gradient_penalty(penalty, quiet=True)
    assert not checks.gradient_penalty(lambda c, r, f, e: penalty(c, r, f, e) * 10, quiet=True)  # lambda included
    assert checks.generator_loss(lambda logits: tf.reduce_mean(tf.nn.softplus(-logits)), quiet=True)
    naive = checks.generator_loss(lambda logits: -tf.reduce_mean(tf.math.log(tf.sigmoid(logits))), quiet=True)
    assert not naive and naive.passed == 2  # overflows only on the extreme logits
    saturating = checks.generator_loss(lambda logits: -tf.reduce_mean(tf.nn.softplus(logits)), quiet=True)
    assert not saturating
