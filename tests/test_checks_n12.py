"""The exercise checks of notebook 12: the worked solution passes, typical mistakes fail with a
specific message, a stub says "not yet"."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import checks


def adain(x, scale, bias, mistake=None):
    x = tf.convert_to_tensor(x, tf.float32)
    axes = {"batch": [0, 1, 2], "layer": [1, 2, 3]}.get(mistake, [1, 2])
    mean, var = tf.nn.moments(x, axes=axes, keepdims=True)
    eps = 0.0 if mistake == "no eps" else 1e-5
    spread = var + eps if mistake == "variance" else tf.sqrt(var + eps)
    if mistake == "eps outside":
        spread = tf.sqrt(var) + eps
    s, b = scale[:, None, None, :], bias[:, None, None, :]
    if mistake == "swap":
        s, b = b, s
    return (x - mean) / spread * s + b


@pytest.mark.parametrize(("mistake", "message"), [
    ("batch", "that is batch normalisation"),
    ("layer", "that is layer normalisation"),
    ("variance", "divided by the variance"),
    ("swap", "scale and bias swapped"),
    ("no eps", "the 1e-5 inside the square root is missing"),
    ("eps outside", "the 1e-5 is added outside the square root"),
])
def test_adain(mistake, message, capsys):
    assert checks.adain(adain)  # a float32 TensorFlow answer passes
    capsys.readouterr()
    assert not checks.adain(lambda *a: adain(*a, mistake=mistake))
    out = capsys.readouterr().out
    case = "3 samples, 2x3 pixels, 4 channels, one channel almost constant" if mistake in ("no eps", "eps outside") else \
        "5 samples, 8x8 pixels, 6 channels, far from zero mean"
    assert f"{case}: largest difference" in out and message in out


def path_lengths(synthesis, w, y, mistake=None):
    if mistake not in ("numpy w", "not watched"):
        w = tf.convert_to_tensor(w)
    if mistake == "not watched":
        w = tf.convert_to_tensor(w)
    y = tf.convert_to_tensor(y)
    pixels = y.shape[1] * y.shape[2] * (y.shape[3] if mistake == "channels" else 1)
    if mistake == "h w":
        y = y / pixels
    elif mistake != "no scale":
        y = y / np.sqrt(pixels)
    with tf.GradientTape() as tape:
        if mistake not in ("numpy w", "not watched"):
            tape.watch(w)
        product = synthesis(w) * y
        total = tf.reduce_mean(product) if mistake == "mean" else tf.reduce_sum(product)
    squares = tf.reduce_sum(tape.gradient(total, w) ** 2, axis=1)
    return squares if mistake == "squared" else tf.sqrt(squares)


@pytest.mark.parametrize(("mistake", "message"), [
    ("no scale", "y is not scaled"),
    ("channels", "scaled by sqrt(h w c)"),
    ("squared", "the squared length"),
    ("mean", "the gradient of a mean over the pixels"),
    ("h w", "divided by h w, not its square root"),
])
def test_path_lengths(mistake, message, capsys):
    assert checks.path_lengths(path_lengths)
    capsys.readouterr()
    assert not checks.path_lengths(lambda *a: path_lengths(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "tanh synthesis, 5 samples, w of 6, 4x4x2 images: largest difference" in out and message in out


def test_path_lengths_batch_mean_is_not_confused_with_h_w(capsys):
    # a mean over the batch divides by n: with n = 5 samples it cannot pass for dividing y by h w = 16
    def batch_mean(synthesis, w, y):
        w, y = tf.convert_to_tensor(w), tf.convert_to_tensor(y) / np.sqrt(y.shape[1] * y.shape[2])
        with tf.GradientTape() as tape:
            tape.watch(w)
            total = tf.reduce_sum(synthesis(w) * y) / w.shape[0]
        return tf.norm(tape.gradient(total, w), axis=1)

    assert not checks.path_lengths(batch_mean)
    out = capsys.readouterr().out
    assert "the gradient of a mean over the batch" in out and "divided by h w" not in out


@pytest.mark.parametrize("mistake", ["numpy w", "not watched"])
def test_path_lengths_unwatched_w(mistake, capsys):
    assert not checks.path_lengths(lambda *a: path_lengths(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "raised" in out and "w is NumPy (or not watched): tf.convert_to_tensor it and tape.watch it" in out


def test_stubs_say_not_yet(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (checks.adain, checks.path_lengths, checks.truncate_layers):
        assert not check(stub)
        assert "not yet" in capsys.readouterr().out


def truncate_layers(w, w_avg, psi, mistake=None):
    w, w_avg, psi = (np.asarray(a, np.float64) for a in (w, w_avg, psi))
    if mistake == "scale w":
        return psi[None, :, None] * w[:, None, :]
    if mistake == "swap":
        psi = 1 - psi
    out = w_avg + psi[None, :, None] * (w - w_avg)[:, None, :]
    return out.transpose(1, 0, 2) if mistake == "transpose" else out


@pytest.mark.parametrize(("mistake", "message"), [
    ("scale w", "psi multiplies w itself"),
    ("swap", "psi and 1 - psi are swapped"),
    ("transpose", "the axes are (layers, n, d)"),
])
def test_truncate_layers(mistake, message, capsys):
    assert checks.truncate_layers(truncate_layers)
    assert checks.truncate_layers(lambda w, a, p: tf.constant(a) + tf.constant(p)[None, :, None] * (w - a)[:, None, :])
    capsys.readouterr()
    assert not checks.truncate_layers(lambda *a: truncate_layers(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "5 samples, w of 8, psi (0.2, 0.2, 0.7, 1, 1, 1): " in out and message in out
