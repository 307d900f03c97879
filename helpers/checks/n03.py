"""Checks for the exercises of notebook 03 (seq2seq with attention)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_parts, run, with_hints

__all__ = ["additive_attention", "luong_attention", "choose_hypothesis"]



def _softmax(scores, axis):
    with np.errstate(invalid="ignore"):  # a mistake's softmax over a fully masked column gives nan
        weights = np.exp(scores - scores.max(axis=axis, keepdims=True))
        return weights / weights.sum(axis=axis, keepdims=True)


def _additive_attention_reference(query, keys, mask, w_query, w_keys, v):
    scores = np.tanh(keys @ w_keys + (query @ w_query)[:, None, :]) @ v  # (batch, time)
    weights = _softmax(np.where(mask, scores, -np.inf), axis=1)
    return np.einsum("bt,btd->bd", weights, keys), weights


def additive_attention(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(query, keys, mask, w_query, w_keys, v) -> (context, weights)`` (the
    lesson's own layer is checked with it, against this independent NumPy version):
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


def _luong(query, keys, mask, w, mistake=None):
    """Luong's "general" score q W k_j, masked softmax over the keys, context = weighted keys."""
    scores = np.einsum("bq,qd,btd->bt", query, w, keys)  # (batch, time)
    if mistake == "scaled":
        scores = scores / np.sqrt(keys.shape[-1])
    if mistake != "no mask":
        scores = np.where(mask, scores, -np.inf)
    weights = _softmax(scores, axis=0 if mistake == "batch softmax" else 1)
    return np.einsum("bt,btd->bd", weights, keys), weights


def luong_attention(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(query, keys, mask, w) -> (context, weights)``: query (batch, d_query),
    keys (batch, time, d_keys), mask (batch, time) True where a key may be attended to,
    w (d_query, d_keys); weights (batch, time) are a softmax over the allowed keys of the scores
    query · w · key_j (0 on masked keys), and context (batch, d_keys) the weighted sum of the keys."""
    hints = {
        "no mask": "masked keys get weight: set their scores to -inf (or -1e9) before the softmax",
        "batch softmax": "the softmax runs over the batch axis: normalise over the keys (axis 1)",
        "scaled": "no scaling here: Luong's score is q W k, without the 1/sqrt(d) of notebook 04",
    }
    rng = np.random.default_rng(0)
    cases = []
    for batch, time, d_query, d_keys in ((1, 1, 2, 3), (3, 7, 5, 6), (8, 30, 32, 64), (4, 5, 6, 6)):
        lengths = rng.integers(1, time + 1, size=batch)
        lengths[0] = max(1, time - 2)  # at least one row with masked keys when time > 2
        args = (rng.normal(size=(batch, d_query)), rng.normal(size=(batch, time, d_keys)),
                np.arange(time)[None, :] < lengths[:, None], rng.normal(0, 0.3, size=(d_query, d_keys)))
        mistakes = {hint: _luong(*args, mistake) for mistake, hint in hints.items()}
        name = f"batch {batch}, {time} keys, some masked" if time > 1 else "one key"
        cases.append((name, args, (_luong(*args), mistakes)))

    compare = with_hints(compare_parts(("context", "weights"), atol=1e-5))
    return run("luong_attention", function, cases, compare=compare, quiet=quiet)


def _lengths(tokens, end_id):
    """Tokens up to and including the first END (all of them if there is none)."""
    is_end = tokens == end_id
    first = np.where(is_end.any(axis=-1), is_end.argmax(axis=-1) + 1, tokens.shape[-1])
    return first.astype(float)


def _choose(tokens, scores, end_id, alpha, mistake=None):
    """The GNMT choice: argmax of score / ((5 + length) / 6) ** alpha, or a typical mistake's."""
    tokens, scores = np.asarray(tokens), np.asarray(scores, float)
    lengths = _lengths(tokens, end_id)
    if mistake == "without END":
        lengths = np.maximum(lengths - 1, 1)
    penalty = lengths**alpha if mistake == "plain length" else ((5 + lengths) / 6) ** alpha
    if mistake == "alpha ignored":
        penalty = np.ones_like(scores)
    ranked = scores * penalty if mistake == "multiplied" else scores / penalty
    return (ranked.argmin(axis=1) if mistake == "argmin" else ranked.argmax(axis=1)).astype(int)


_CHOOSE_HINTS = {
    "alpha ignored": "these are the raw scores' choices, as if every hypothesis had the same penalty: divide "
                     "each score by ((5 + L) / 6) ** alpha, with L counted only up to the first END (counting the "
                     "END padding gives every hypothesis the full length)",
    "plain length": "that is score / length ** alpha (helpers.sampling's penalty); GNMT divides by "
                    "((5 + length) / 6) ** alpha",
    "without END": "count the first END token in the length (it was predicted, and its log-probability is in the score)",
    "multiplied": "divide the score by the penalty: multiplying makes long outputs even worse",
    "argmin": "the best hypothesis has the largest (least negative) normalised score",
}


def _choose_cases():
    end = 2
    rng = np.random.default_rng(3)
    cases = []
    for batch, k, length, alpha in ((1, 2, 6, 1.0), (16, 4, 12, 1.0), (12, 3, 10, 0.6), (16, 5, 15, 0.8),
                                    (16, 4, 20, 2.0), (16, 3, 5, 3.0), (4, 4, 9, 0.0)):
        lengths = rng.integers(1, length + 1, size=(batch, k))
        lengths[:, 0] = length  # one hypothesis that never wrote END, in every row
        tokens = rng.integers(3, 12, size=(batch, k, length))
        tokens[np.arange(length) >= lengths[..., None] - 1] = end  # END at position length-1, then END padding
        tokens[:, 0] = rng.integers(3, 12, size=(batch, length))  # ... no END in the first
        # per-token log-probabilities around -0.5, so that longer outputs score lower
        scores = -lengths * rng.uniform(0.3, 0.7, size=(batch, k))
        cases.append((f"batch {batch}, beam {k}, up to {length} tokens, alpha {alpha}", (tokens, scores, end, alpha)))
    # short outputs, where counting the END token or not flips the choice: lengths 2 and 4, alpha 2
    tokens = np.full((2, 2, 6), end)
    tokens[0, 0, :1], tokens[0, 1, :3], tokens[1, 0, :3], tokens[1, 1, :1] = 5, 7, 7, 5
    cases.append(("batch 2, beam 2, outputs of 2 and 4 tokens, alpha 2.0",
                  (tokens, np.array([[-1.0, -1.7], [-1.7, -1.0]]), end, 2.0)))
    return cases


def _matching_mistakes(function, cases) -> set:
    """The mistakes the answer makes on every case where that mistake changes the choice."""
    answers = []
    for _, args in cases:
        try:
            answers.append(np.asarray(function(*(a.copy() if isinstance(a, np.ndarray) else a for a in args))))
        except Exception:  # the stub or a crash: run() reports it
            return set()
    matching = set()
    for mistake in _CHOOSE_HINTS:
        telling = [(got, _choose(*args, mistake)) for got, (_, args) in zip(answers, cases)
                   if not np.array_equal(_choose(*args, mistake), _choose(*args))]
        if telling and all(got.shape == wrong.shape and np.array_equal(got, wrong) for got, wrong in telling):
            matching.add(mistake)
    return matching


def choose_hypothesis(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(tokens, scores, end_id, alpha) -> best`` (batch,): tokens (batch, k,
    length) are the k finished hypotheses of a beam (after their first END they are padded with
    END), scores (batch, k) their total log-probabilities; each hypothesis's length L counts its
    tokens up to and including the first END (all of them if it has no END), and ``best`` is the
    index of the hypothesis with the largest score / ((5 + L) / 6) ** alpha (GNMT's length
    penalty). A hint names a typical mistake only when the answer makes it on every case."""
    cases = _choose_cases()
    mistakes = _matching_mistakes(function, cases)

    def compare(got, expected):
        got = np.asarray(got)
        if got.shape != expected.shape:
            return f"shape {got.shape}, expected {expected.shape} (one index per batch row)"
        wrong = np.flatnonzero(got != expected)
        if len(wrong):
            hint = "".join(f"; {_CHOOSE_HINTS[m]}" for m in _CHOOSE_HINTS if m in mistakes)
            return (f"{len(wrong)} of {len(expected)} rows choose another hypothesis, first row {wrong[0]}: "
                    f"got {got[wrong[0]]}, expected {expected[wrong[0]]}{hint}")
        return None

    cases = [(name, args, _choose(*args)) for name, args in cases]
    return run("choose_hypothesis", function, cases, compare=compare, quiet=quiet)
