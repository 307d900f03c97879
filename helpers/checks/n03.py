"""Checks for the exercises of notebook 03 (seq2seq with attention)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_parts, run

__all__ = ["additive_attention", "beam_step"]


def _additive_attention_reference(query, keys, mask, w_query, w_keys, v):
    scores = np.tanh(keys @ w_keys + (query @ w_query)[:, None, :]) @ v  # (batch, time)
    scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("bt,btd->bd", weights, keys), weights


def additive_attention(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(query, keys, mask, w_query, w_keys, v) -> (context, weights)``:
    query (batch, d_query), keys (batch, time, d_keys), mask (batch, time) True where a key may
    be attended to, w_query (d_query, a), w_keys (d_keys, a), v (a,); weights (batch, time) are a
    softmax of v · tanh(keys w_keys + query w_query) over the allowed keys (0 elsewhere), and
    context (batch, d_keys) is the weighted sum of the keys."""
    rng = np.random.default_rng(0)
    cases = []
    for batch, time, d_query, d_keys, a in ((1, 1, 2, 3, 4), (3, 7, 5, 6, 8), (8, 30, 32, 64, 16)):
        lengths = rng.integers(1, time + 1, size=batch)
        args = (rng.normal(size=(batch, d_query)), rng.normal(size=(batch, time, d_keys)),
                np.arange(time)[None, :] < lengths[:, None], rng.normal(size=(d_query, a)),
                rng.normal(size=(d_keys, a)), rng.normal(size=a))
        name = f"batch {batch}, {time} keys, some masked" if time > 1 else "one key"
        cases.append((name, args, _additive_attention_reference(*args)))

    compare = compare_parts(("context", "weights"), atol=1e-6)
    return run("additive_attention", function, cases, compare=compare, quiet=quiet)


def beam_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(scores, log_probs, beam_width) -> (new_scores, parents, tokens)``:
    scores (batch, k) of the kept hypotheses, log_probs (batch, k, vocabulary) of their next
    token; return, for each batch row, the ``beam_width`` best extensions (best first) as their
    total scores, the hypothesis each extends (0 … k-1) and the token added, each (batch, width)."""
    rng = np.random.default_rng(1)
    cases = []
    for batch, k, vocabulary, width in ((1, 1, 5, 1), (2, 3, 7, 3), (4, 4, 30, 4), (3, 2, 6, 5)):
        scores = -rng.exponential(size=(batch, k)) * 3
        log_probs = np.log(rng.dirichlet(np.ones(vocabulary), size=(batch, k)))
        flat = (scores[:, :, None] + log_probs).reshape(batch, k * vocabulary)
        best = np.argsort(-flat, axis=1)[:, :width]
        expected = (np.take_along_axis(flat, best, 1), best // vocabulary, best % vocabulary)
        cases.append((f"batch {batch}, {k} kept, {vocabulary} tokens, width {width}", (scores, log_probs, width), expected))

    compare = compare_parts(("new_scores", "parents", "tokens"), atol=1e-9)
    return run("beam_step", function, cases, compare=compare, quiet=quiet)
