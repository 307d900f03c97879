"""Checks for the exercises of notebook 02 (RNN language model)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, compare_parts, run, with_hints

__all__ = ["gru_reset_before", "lstm_step"]


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


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



def _gru_reset_before(x, h, kernel, recurrent, bias, variant=None):
    """The GRU of Cho et al. (2014) in Keras's layout with ``reset_after=False``; ``variant``
    names a typical mistake to make instead (for the hints)."""
    units = h.shape[1]
    xz, xr, xn = np.split(x.astype(np.float64) @ kernel + bias, 3, axis=1)
    u_z, u_r, u_n = recurrent[:, :units], recurrent[:, units : 2 * units], recurrent[:, 2 * units :]
    z, r = _sigmoid(xz + h @ u_z), _sigmoid(xr + h @ u_r)
    if variant == "swapped gates":
        z, r = r, z
    n = np.tanh(xn + r * (h @ u_n)) if variant == "reset after" else np.tanh(xn + (r * h) @ u_n)
    if variant == "z and 1 - z swapped":
        return (1 - z) * h + z * n
    return z * h + (1 - z) * n


def gru_reset_before(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, h, kernel, recurrent_kernel, bias) -> h_new``, the original GRU that
    resets the old state *before* the recurrent product, n = tanh(x W_n + (r * h) U_n + b_n),
    against one step of ``keras.layers.GRU(reset_after=False)`` (gate order z, r, n; one bias
    (3 units,))."""
    import keras

    hints = {
        "reset after": "that is the lesson's cell (reset_after=True): here r multiplies h *before* U_n",
        "swapped gates": "the update and reset gates are swapped: Keras's blocks are z, r, n in that order",
        "z and 1 - z swapped": "z keeps the old state: h_new = z * h + (1 - z) * n",
    }
    cases = []
    for i, (name, x, h, _, kernel, recurrent) in enumerate(_cell_cases(3)):
        bias = np.random.default_rng(i).normal(0, 0.5, kernel.shape[1]).astype(np.float32)
        expected = np.asarray(_one_step(keras.layers.GRU(h.shape[1], reset_after=False), x, h,
                                        [kernel, recurrent, bias]))
        mistakes = {hint: _gru_reset_before(x, h, kernel, recurrent, bias, variant)
                    for variant, hint in hints.items()}
        cases.append((name, (x, h, kernel, recurrent, bias), (expected, mistakes)))

    compare = with_hints(lambda got, exp: compare_arrays(got, exp, 1e-5))
    return run("gru_reset_before", function, cases, compare=compare, quiet=quiet)


def _one_step(layer, x, state, weights):
    """One step of a Keras recurrent ``layer`` set to ``weights``, from ``state``, on inputs x (batch, features)."""
    layer.build((None, 1, x.shape[1]))
    layer.set_weights(weights)
    return layer(x[:, None], initial_state=state)


def _lstm(x, h, c, kernel, recurrent, bias, variant=None):
    """One LSTM step in Keras's layout; ``variant`` names a typical mistake (for the hints)."""
    i, f, g, o = np.split(x.astype(np.float64) @ kernel + h @ recurrent + bias, 4, axis=1)
    if variant == "i and f swapped":
        i, f = f, i
    c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h_new = _sigmoid(o) * (c_new if variant == "no tanh" else np.tanh(c_new))
    return (c_new, h_new) if variant == "order" else (h_new, c_new)


def lstm_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, h, c, kernel, recurrent_kernel, bias) -> (h_new, c_new)`` against one
    step of ``keras.layers.LSTM`` (gate order input, forget, candidate, output; bias (4 units,))."""
    import keras

    hints = {
        "order": "you returned (c_new, h_new): return (h_new, c_new)",
        "no tanh": "h_new = sigmoid(o) * tanh(c_new): the tanh of the new cell state is missing",
        "i and f swapped": "the input and forget gates are swapped: Keras's blocks are i, f, g, o",
    }
    compare = compare_parts(("h_new", "c_new"), atol=1e-5)
    cases = []
    for k, (name, x, h, c, kernel, recurrent) in enumerate(_cell_cases(4)):
        bias = np.random.default_rng(k).normal(0, 0.5, kernel.shape[1]).astype(np.float32)
        _, h_new, c_new = _one_step(keras.layers.LSTM(h.shape[1], return_state=True), x, [h, c],
                                    [kernel, recurrent, bias])
        mistakes = {hint: _lstm(x, h, c, kernel, recurrent, bias, variant) for variant, hint in hints.items()}
        cases.append((name, (x, h, c, kernel, recurrent, bias), ((np.asarray(h_new), np.asarray(c_new)), mistakes)))
    return run("lstm_step", function, cases, compare=with_hints(compare), quiet=quiet)
