"""The exercise checks of notebook 09: the worked solution passes, typical mistakes fail with a
specific message, a stub says "not yet"."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import checks


def ddim_eta_step(x_t, eps, alpha_bar_t, alpha_bar_s, eta, z, mistake=None):
    root = (lambda a: a) if mistake == "no roots" else np.sqrt
    x0 = (x_t - root(1 - alpha_bar_t) * eps) / root(alpha_bar_t)
    sigma = eta * np.sqrt((1 - alpha_bar_s) / (1 - alpha_bar_t)) * np.sqrt(1 - alpha_bar_t / alpha_bar_s)
    if mistake == "ddpm beta":
        sigma = eta * np.sqrt(1 - alpha_bar_t / alpha_bar_s)
    with np.errstate(invalid="ignore"):
        direction = np.sqrt(1 - alpha_bar_s - (0 if mistake == "no room" else sigma**2))
    return np.sqrt(alpha_bar_s) * x0 + direction * eps + (sigma**2 if mistake == "variance" else sigma) * z


def ddim_eta_step_tf(x_t, eps, alpha_bar_t, alpha_bar_s, eta, z):  # float32 TensorFlow answers pass too
    x_t, eps, z = (tf.constant(v, tf.float32) for v in (x_t, eps, z))
    a_t, a_s = tf.constant(alpha_bar_t, tf.float32), tf.constant(alpha_bar_s, tf.float32)
    x0 = (x_t - tf.sqrt(1 - a_t) * eps) / tf.sqrt(a_t)
    sigma = eta * tf.sqrt((1 - a_s) / (1 - a_t)) * tf.sqrt(1 - a_t / a_s)
    return tf.sqrt(a_s) * x0 + tf.sqrt(1 - a_s - sigma**2) * eps + sigma * z


@pytest.mark.parametrize(("mistake", "message"), [
    ("ddpm beta", "sigma is missing the factor sqrt((1 - alpha_bar_s) / (1 - alpha_bar_t))"),
    ("variance", "the noise term's scale is sigma (a standard deviation), not sigma^2"),
    ("no room", "the direction term must make room for the fresh noise"),
    ("no roots", "square roots of alpha-bar"),
])
def test_ddim_eta_step(mistake, message, capsys):
    assert checks.ddim_eta_step(ddim_eta_step) and checks.ddim_eta_step(ddim_eta_step_tf)
    capsys.readouterr()
    assert not checks.ddim_eta_step(lambda *a: ddim_eta_step(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "eta = 0.5, a long jump: " in out and message in out


def test_ddim_eta_step_with_t_and_s_swapped_says_nan(capsys):
    # swapping alpha_bar_t and alpha_bar_s gives nan (sqrt of a negative number); no mistake's hint may match it
    with np.errstate(invalid="ignore", divide="ignore"):
        assert not checks.ddim_eta_step(lambda x, eps, a_t, a_s, eta, z: ddim_eta_step(x, eps, a_s, a_t, eta, z))
    out = capsys.readouterr().out
    assert "s is the earlier step, so alpha_bar_s > alpha_bar_t" in out
    assert "sigma is missing the factor" not in out and "the direction term must make room" not in out


def test_ddim_eta_step_at_eta_one_has_the_ddpm_posterior_variance():
    # the reason for the exercise: eta = 1, one step back, gives DDPM's posterior variance as the noise's
    a_t, a_s = 0.5, 0.52
    x, eps = np.zeros((1, 200_000)), np.zeros((1, 200_000))
    z = np.random.default_rng(0).normal(size=x.shape)
    beta = 1 - a_t / a_s
    assert np.isclose(np.var(ddim_eta_step(x, eps, a_t, a_s, 1.0, z)), (1 - a_s) / (1 - a_t) * beta, rtol=0.02)


def from_v(x_t, v, alpha_bar, mistake=None):
    a, b = np.sqrt(alpha_bar), np.sqrt(1 - alpha_bar)
    if mistake == "no roots":
        a, b = alpha_bar, 1 - alpha_bar
    if mistake == "swapped":
        a, b = b, a
    if mistake == "signs":
        return a * x_t + b * v, b * x_t - a * v
    x0, eps = a * x_t - b * v, b * x_t + a * v
    return (eps, x0) if mistake == "order" else (x0, eps)


def from_v_tf(x_t, v, alpha_bar):
    x_t, v, alpha_bar = (tf.constant(t, tf.float32) for t in (x_t, v, alpha_bar))
    a, b = tf.sqrt(alpha_bar), tf.sqrt(1 - alpha_bar)
    return a * x_t - b * v, b * x_t + a * v


@pytest.mark.parametrize(("mistake", "message"), [
    ("signs", "the signs of v are the other way round"),
    ("swapped", "the coefficients are swapped"),
    ("no roots", "use the square roots of alpha-bar"),
    ("order", "return (x0, eps) in that order"),
])
def test_from_v(mistake, message, capsys):
    assert checks.from_v(from_v) and checks.from_v(from_v_tf)
    capsys.readouterr()
    assert not checks.from_v(lambda *a: from_v(*a, mistake=mistake))
    out = capsys.readouterr().out
    assert "alpha-bar 0.8, 4 x 6 values: x0: largest difference" in out and message in out


def test_from_v_wants_a_pair(capsys):
    assert not checks.from_v(lambda x_t, v, a: np.sqrt(a) * x_t - np.sqrt(1 - a) * v)
    assert "return a pair (x0, eps)" in capsys.readouterr().out


@pytest.mark.parametrize("check", [checks.ddim_eta_step, checks.from_v])
def test_a_stub_is_not_yet(check, capsys):
    def stub(*args):
        raise NotImplementedError  # your code here

    result = check(stub)
    assert not result and result.stub and "not yet" in capsys.readouterr().out
