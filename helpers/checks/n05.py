"""Checks for the exercises of notebook 05 (GPT)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["top_k", "cache_update"]


def top_k(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(logits, k) -> logits`` (n, vocabulary): the k largest of each row kept,
    every other entry -inf (against ``helpers.sampling.top_k_filter``)."""
    from helpers import sampling

    rng = np.random.default_rng(0)
    cases = [(f"{n} rows of {v}, k={k}", (logits, k), sampling.top_k_filter(logits, k))
             for n, v, k in ((1, 5, 1), (3, 10, 3), (4, 65, 10), (2, 6, 6))
             for logits in [rng.normal(size=(n, v)) * 3]]
    return run("top_k", function, cases, quiet=quiet)


def cache_update(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(cache, new, position) -> cache``: cache (batch, heads, length, depth) with
    the keys (or values) of one new position, new (batch, heads, 1, depth), written at index
    ``position`` along the length axis; every other entry unchanged."""
    rng = np.random.default_rng(2)
    cases = []
    for b, h, length, d, position in ((1, 1, 4, 2, 0), (2, 4, 16, 8, 7), (1, 2, 8, 4, 7)):
        cache = rng.normal(size=(b, h, length, d)).astype(np.float32)
        new = rng.normal(size=(b, h, 1, d)).astype(np.float32)
        expected = cache.copy()
        expected[:, :, position] = new[:, :, 0]
        cases.append((f"length {length}, write at {position}", (cache, new, position), expected))
    return run("cache_update", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-6), quiet=quiet)
