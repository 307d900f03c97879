"""Checks for the exercises of notebook 02 (RNN language model)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, compare_parts, run

__all__ = ["gru_step", "lstm_step"]


def _cell_cases(gates: int, seed: int = 0):
    """Random inputs, states and weights (with non-zero biases) for a cell with ``gates`` blocks."""
    rng = np.random.default_rng(seed)
    cases = []
    for batch, features, units in ((1, 3, 2), (4, 5, 8), (16, 32, 64)):
        x = rng.normal(size=(batch, features)).astype(np.float32)
        h = rng.normal(size=(batch, units)).astype(np.float32)
        c = rng.normal(size=(batch, units)).astype(np.float32)
        kernel = rng.normal(0, 0.5, (features, gates * units)).astype(np.float32)
        recurrent = rng.normal(0, 0.5, (units, gates * units)).astype(np.float32)
        cases.append((f"batch {batch}, {features} features, {units} units", x, h, c, kernel, recurrent))
    return cases


def gru_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, h, kernel, recurrent_kernel, bias) -> h_new`` against one step of
    ``keras.layers.GRU`` (gate order z, r, candidate; ``reset_after=True``; bias (2, 3 units))."""
    import keras

    cases = []
    for i, (name, x, h, _, kernel, recurrent) in enumerate(_cell_cases(3)):
        bias = np.random.default_rng(i).normal(0, 0.5, (2, kernel.shape[1])).astype(np.float32)
        layer = keras.layers.GRU(h.shape[1])
        layer.build((None, 1, x.shape[1]))
        layer.set_weights([kernel, recurrent, bias])
        expected = np.asarray(layer(x[:, None], initial_state=h))
        cases.append((name, (x, h, kernel, recurrent, bias), expected))
    return run("gru_step", function, cases, compare=lambda got, exp: compare_arrays(got, exp, 1e-5), quiet=quiet)


def lstm_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, h, c, kernel, recurrent_kernel, bias) -> (h_new, c_new)`` against one
    step of ``keras.layers.LSTM`` (gate order input, forget, candidate, output; bias (4 units,))."""
    import keras

    compare = compare_parts(("h_new", "c_new"), atol=1e-5)
    cases = []
    for i, (name, x, h, c, kernel, recurrent) in enumerate(_cell_cases(4)):
        bias = np.random.default_rng(i).normal(0, 0.5, kernel.shape[1]).astype(np.float32)
        layer = keras.layers.LSTM(h.shape[1], return_state=True)
        layer.build((None, 1, x.shape[1]))
        layer.set_weights([kernel, recurrent, bias])
        _, h_new, c_new = layer(x[:, None], initial_state=[h, c])
        cases.append((name, (x, h, c, kernel, recurrent, bias), (np.asarray(h_new), np.asarray(c_new))))
    return run("lstm_step", function, cases, compare=compare, quiet=quiet)
