"""The exercise checks of notebook 02: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np
import tensorflow as tf

from helpers import checks


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def gru(x, h, kernel, recurrent, bias, mistake=None):
    units = h.shape[1]
    xz, xr, xn = np.split(x @ kernel + bias, 3, axis=1)
    hz, hr = np.split(h @ recurrent[:, : 2 * units], 2, axis=1)
    z, r = sigmoid(xz + hz), sigmoid(xr + hr)
    if mistake == "swap gates":
        z, r = r, z
    u_n = recurrent[:, 2 * units :]
    n = np.tanh(xn + r * (h @ u_n)) if mistake == "reset after" else np.tanh(xn + (r * h) @ u_n)
    return (1 - z) * h + z * n if mistake == "swap z" else z * h + (1 - z) * n


def lstm(x, h, c, kernel, recurrent, bias, mistake=None):
    i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=1)
    if mistake == "swap i f":
        i, f = f, i
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * (c if mistake == "no tanh" else np.tanh(c))
    return (c, h) if mistake == "order" else (h, c)


def lstm_tf(x, h, c, kernel, recurrent, bias):  # a float32 TensorFlow answer passes too
    i, f, g, o = tf.split(tf.matmul(x, kernel) + tf.matmul(h, recurrent) + bias, 4, axis=1)
    c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
    return tf.sigmoid(o) * tf.tanh(c), c


def test_gru_reset_before_passes_the_solution_and_names_typical_mistakes(capsys):
    assert checks.gru_reset_before(gru)
    for mistake, message in (("reset after", "that is the lesson's cell (reset_after=True)"),
                             ("swap gates", "the update and reset gates are swapped"),
                             ("swap z", "z keeps the old state")):
        capsys.readouterr()
        assert not checks.gru_reset_before(lambda *args, m=mistake: gru(*args, mistake=m))
        out = capsys.readouterr().out
        assert "batch 4, 5 features, 8 units: largest difference" in out and message in out


def test_lstm_step_passes_numpy_and_tensorflow_and_names_typical_mistakes(capsys):
    assert checks.lstm_step(lstm) and checks.lstm_step(lstm_tf)
    for mistake, message in (("order", "h_new: largest difference"), ("order", "return (h_new, c_new)"),
                             ("no tanh", "the tanh of the new cell state is missing"),
                             ("swap i f", "the input and forget gates are swapped")):
        capsys.readouterr()
        assert not checks.lstm_step(lambda *args, m=mistake: lstm(*args, mistake=m))
        assert message in capsys.readouterr().out


def test_stubs_say_not_yet(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (checks.gru_reset_before, checks.lstm_step):
        result = check(stub)
        assert not result and result.stub
    assert capsys.readouterr().out.count("not yet") == 2
