"""The exercise checks of notebook 02: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


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
