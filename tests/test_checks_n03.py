"""The exercise checks of notebook 03: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


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
