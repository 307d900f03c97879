"""Checks for the exercises of notebook 04 (Transformer)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["causal_mask", "split_heads", "merge_heads"]


def causal_mask(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(length) -> (length, length)`` boolean mask, True where query i may attend
    to key j (j <= i)."""
    cases = [(f"length {n}", (n,), np.tril(np.ones((n, n), bool))) for n in (1, 2, 5, 16)]

    def compare(got, expected):
        got = np.asarray(got)
        if got.dtype != bool:
            return f"dtype {got.dtype}: return booleans (True = may attend)"
        return compare_arrays(got.astype(int), expected.astype(int), 0)

    return run("causal_mask", function, cases, compare=compare, quiet=quiet)


def split_heads(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, num_heads) -> (batch, heads, time, depth)`` for x (batch, time,
    heads * depth): the last axis is cut into ``num_heads`` consecutive blocks, one per head."""
    rng = np.random.default_rng(0)
    cases = []
    for batch, time, heads, depth in ((1, 1, 1, 4), (2, 5, 4, 3), (3, 7, 8, 16)):
        x = rng.normal(size=(batch, time, heads * depth))
        cases.append((f"{heads} heads of {depth}", (x, heads),
                      x.reshape(batch, time, heads, depth).transpose(0, 2, 1, 3)))
    return run("split_heads", function, cases, quiet=quiet)


def merge_heads(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x) -> (batch, time, heads * depth)`` for x (batch, heads, time, depth): the
    inverse of ``split_heads``."""
    rng = np.random.default_rng(1)
    cases = []
    for batch, heads, time, depth in ((1, 1, 1, 4), (2, 4, 5, 3), (3, 8, 7, 16)):
        x = rng.normal(size=(batch, heads, time, depth))
        cases.append((f"{heads} heads of {depth}", (x,), x.transpose(0, 2, 1, 3).reshape(batch, time, heads * depth)))
    return run("merge_heads", function, cases, quiet=quiet)
