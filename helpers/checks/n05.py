"""Checks for the exercises of notebook 05 (GPT)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["min_p_filter", "absolute_cached_step"]


def _softmax(z, axis=-1):
    z = np.exp(z - z.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def min_p_filter(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(logits, p_min) -> logits`` for logits (n, vocabulary): a token is kept
    (its logit unchanged) when its probability is at least ``p_min`` times the probability of the
    most likely token of its row; every other entry is -inf."""
    rng = np.random.default_rng(5)
    cases = []
    for n, v, p_min, sharpness in ((1, 8, 0.1, 1.0), (3, 12, 0.2, (0.5, 2.0, 4.0)), (4, 65, 0.05, (1.0, 3.0, 0.3, 6.0)),
                                   (2, 10, 1.0, (1.0, 2.0))):
        # rows of different sharpness, so that a threshold relative to the top token differs from an absolute one
        logits = (rng.normal(size=(n, v)) * np.reshape(sharpness, (-1, 1)) + 2.0).astype(np.float32)
        probs = _softmax(logits.astype(np.float64))
        keep = probs >= p_min * probs.max(axis=-1, keepdims=True)
        expected = np.where(keep, logits, -np.inf)
        cases.append((f"{n} row(s) of {v}, p_min={p_min}", (logits.copy(), p_min), expected))

    def compare(got, expected):
        got = np.asarray(got, dtype=np.float64)
        if got.shape != expected.shape:
            return f"shape {got.shape}, expected {expected.shape} (one filtered row per input row)"
        for row, (g, e) in enumerate(zip(got, expected)):
            kept, want = int(np.isfinite(g).sum()), int(np.isfinite(e).sum())
            if kept != want or np.any(np.isfinite(g) != np.isfinite(e)):
                return (f"row {row} keeps {kept} tokens, expected {want} "
                        f"(tokens {np.flatnonzero(np.isfinite(g) != np.isfinite(e))[:8].tolist()} differ)")
        return compare_arrays(got, expected, 1e-5)  # kept logits unchanged

    return run("min_p_filter", function, cases, compare=compare, quiet=quiet)


def _absolute_reference(xs, weights):
    """Full causal single-head attention over the sequence xs (T, d) with learned absolute positions."""
    h = xs + weights["positions"][: len(xs)]
    q, k, v = h @ weights["query"], h @ weights["key"], h @ weights["value"]
    scores = q @ k.T / np.sqrt(q.shape[-1])
    scores = np.where(np.tril(np.ones((len(xs), len(xs)), bool)), scores, -np.inf)
    return _softmax(scores) @ v  # (T, d)


def absolute_cached_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, position, cache, weights) -> (out, cache)``: one generation step of a
    single-head causal self-attention with learned absolute positions and a key-value cache.

    x (d,) is the new token's embedding; weights has "positions" (max_length, d) and the
    projections "query", "key", "value" (d, d); cache has "key" and "value" (max_length, d), zero
    where nothing has been written. The step adds the position's vector, writes the new key and
    value at row ``position`` and attends over rows 0..position (scaled by 1/sqrt(d)). The check
    runs whole sequences step by step from an empty cache and compares every step's output with
    attention computed over the whole sequence at once.
    """
    rng = np.random.default_rng(11)
    cases = []
    for steps, max_length, d in ((1, 4, 4), (6, 8, 4), (8, 8, 16)):
        weights = {"positions": rng.normal(size=(max_length, d)), "query": rng.normal(size=(d, d)) / np.sqrt(d),
                   "key": rng.normal(size=(d, d)) / np.sqrt(d), "value": rng.normal(size=(d, d))}
        weights = {name: w.astype(np.float32) for name, w in weights.items()}
        xs = rng.normal(size=(steps, d)).astype(np.float32)
        expected = _absolute_reference(xs.astype(np.float64), {n: w.astype(np.float64) for n, w in weights.items()})
        cases.append((f"{steps} step(s), table of {max_length} positions, d={d}", (xs, weights, max_length), expected))

    def generate(xs, weights, max_length):
        cache = {"key": np.zeros((max_length, xs.shape[1]), np.float32),
                 "value": np.zeros((max_length, xs.shape[1]), np.float32)}
        outputs = []
        for position, x in enumerate(xs):
            answer = function(x.copy(), position, cache, {n: w.copy() for n, w in weights.items()})
            if not isinstance(answer, tuple | list) or len(answer) != 2:
                raise TypeError("return two things: (out, cache)")
            out, cache = answer
            outputs.append(np.reshape(np.asarray(out, dtype=np.float64), -1))
        return outputs

    def compare(got, expected):
        for position, (g, e) in enumerate(zip(got, expected)):
            if g.shape != e.shape:
                return f"step {position}: output shape {g.shape}, expected {e.shape}"
            problem = compare_arrays(g, e, 1e-4 * max(1.0, float(np.abs(e).max())))
            if problem:
                return f"step {position} (position {position}) differs: {problem}"
        return None

    return run("absolute_cached_step", lambda xs, weights, max_length: generate(xs, weights, max_length), cases,
               compare=compare, quiet=quiet)
