"""Checks for the exercises of notebook 04 (Transformer)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["split_heads", "merge_heads", "learned_positions"]


def split_heads(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, num_heads) -> (batch, heads, time, depth)`` for x (batch, time,
    heads * depth): the last axis is cut into ``num_heads`` consecutive blocks, one per head."""
    rng = np.random.default_rng(0)
    cases = []
    for batch, time, heads, depth in ((1, 1, 1, 4), (2, 5, 4, 3), (3, 7, 8, 16)):
        x = rng.normal(size=(batch, time, heads * depth))
        cases.append((f"{heads} heads of {depth}", (x, heads),
                      x.reshape(batch, time, heads, depth).transpose(0, 2, 1, 3)))
    return run("split_heads", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-5), quiet=quiet)


def merge_heads(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x) -> (batch, time, heads * depth)`` for x (batch, heads, time, depth): the
    inverse of ``split_heads``."""
    rng = np.random.default_rng(1)
    cases = []
    for batch, heads, time, depth in ((1, 1, 1, 4), (2, 4, 5, 3), (3, 8, 7, 16)):
        x = rng.normal(size=(batch, heads, time, depth))
        cases.append((f"{heads} heads of {depth}", (x,), x.transpose(0, 2, 1, 3).reshape(batch, time, heads * depth)))
    return run("merge_heads", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-5), quiet=quiet)


def learned_positions(layer_class, quiet: bool = False) -> Result:
    """Check a Keras layer class ``layer_class(max_length, dim)`` whose call adds a learned vector per
    position: x (batch, t, dim) -> x + table[:t], with one trainable weight ``table`` of shape
    (max_length, dim). The check builds the layer, sets its table to known values and compares."""
    import keras

    rng = np.random.default_rng(4)

    def apply(max_length, dim, x, table):
        layer = layer_class(max_length, dim)
        layer(x)  # build
        weights = layer.trainable_weights
        if len(weights) != 1:
            raise AssertionError(f"expected one trainable weight (the table), found {len(weights)}: "
                                 f"{[tuple(w.shape) for w in weights]} (a constant is not learned)")
        if tuple(weights[0].shape) != (max_length, dim):
            raise AssertionError(f"the table has shape {tuple(weights[0].shape)}, expected (max_length, dim) = "
                                 f"{(max_length, dim)}: one row per position")
        weights[0].assign(table)
        return keras.ops.convert_to_numpy(layer(x))

    cases = []
    for batch, t, max_length, dim in ((1, 1, 4, 2), (2, 5, 16, 8), (3, 16, 16, 4)):
        x = rng.normal(size=(batch, t, dim)).astype(np.float32)
        table = rng.normal(size=(max_length, dim)).astype(np.float32)
        cases.append((f"{t} of {max_length} positions, dim {dim}", (max_length, dim, x, table), x + table[:t]))

    def compare(got, expected):
        problem = compare_arrays(got, expected, 1e-5)
        return None if problem is None else f"{problem} (x + table[:t]: row p of the table goes to position p)"

    slice_hint = "x + table[:t]: slice the table to the input's length"

    def run_case(*args):
        try:
            got = apply(*args)
        except AssertionError as error:
            return str(error)
        except Exception as error:  # adding the whole (max_length, dim) table to x (batch, t, dim)
            if "ncompatible shapes" in str(error) or "broadcast" in str(error):
                max_length, dim, x, _ = args
                return (f"adding x of shape {x.shape} and a table of shape {(max_length, dim)} fails "
                        f"(incompatible shapes): {slice_hint}")
            raise
        max_length, dim, x, _ = args
        if np.shape(got) == (x.shape[0], max_length, dim) and x.shape[1] != max_length:
            return f"shape {np.shape(got)}, expected {x.shape}: the whole table was added; {slice_hint}"
        return got

    def checked(got, expected):
        return got if isinstance(got, str) else compare(got, expected)

    return run("learned_positions", run_case, cases, compare=checked, quiet=quiet)
