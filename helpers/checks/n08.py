"""Checks for the exercises of notebook 08 (GAN)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, compare_parts, run

__all__ = ["hinge_losses", "spectral_norm"]


def _scalar(atol):
    """A compare function for one scalar answer (a NumPy or TensorFlow number of any float type)."""

    def compare(value, expected):
        value = np.asarray(value, np.float64)
        if value.size != 1:
            return f"return one number, got an array of shape {value.shape}"
        return compare_arrays(value.reshape(()), expected, atol * (1 + abs(expected)))

    return compare


def _hinge_reference(real_logits, fake_logits):
    real, fake = np.asarray(real_logits, np.float64), np.asarray(fake_logits, np.float64)
    d_loss = np.mean(np.maximum(0, 1 - real)) + np.mean(np.maximum(0, 1 + fake))
    return d_loss, -np.mean(fake)


def hinge_losses(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(real_logits, fake_logits) -> (d_loss, g_loss)``, two scalars: the hinge
    loss of the discriminator, mean(relu(1 - l_real)) + mean(relu(1 + l_fake)), and the
    generator's, -mean(l_fake). Logits are (n, 1) scores; real and fake batches may differ in size."""
    rng = np.random.default_rng(9)
    cases = []
    for description, real, fake in (
            ("logits around 0, inside both margins", rng.normal(0, 0.4, size=(16, 1)), rng.normal(0, 0.4, size=(16, 1))),
            ("a confident discriminator: most logits beyond the margins",
             rng.normal(2.5, 1, size=(32, 1)), rng.normal(-2.5, 1, size=(24, 1))),
            ("a fooled discriminator: real low, fake high", rng.normal(-1, 1, size=(8, 1)), rng.normal(1.5, 1, size=(8, 1))),
            ("float32 logits", rng.normal(0.5, 2, size=(64, 1)).astype(np.float32),
             rng.normal(-0.5, 2, size=(64, 1)).astype(np.float32))):
        cases.append((description, (real, fake), _hinge_reference(real, fake)))
    parts = compare_parts(("d_loss", "g_loss"), atol=1e-5)

    def compare(got, expected):
        if not isinstance(got, tuple | list) or len(got) != 2:
            return "return two numbers: (d_loss, g_loss)"
        for name, value in zip(("d_loss", "g_loss"), got):
            if np.size(value) != 1:
                return f"{name}: return one number (a mean over the batch), got an array of shape {np.shape(value)}"
        return parts(tuple(np.asarray(value, np.float64).reshape(()) for value in got), expected)

    return run("hinge_losses", function, cases, compare=compare, quiet=quiet)


def _one_step_estimate(matrix, v):
    """sigma after one step of power iteration from v: u = W v / |W v|, v = W^T u / |W^T u|, |W v|."""
    u = matrix @ v
    u /= np.linalg.norm(u)
    v = matrix.T @ u
    v /= np.linalg.norm(v)
    return float(np.linalg.norm(matrix @ v))


def spectral_norm(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(kernel, v, steps) -> sigma`` (a scalar): the largest singular value of a
    layer's kernel estimated by ``steps`` steps of power iteration. The kernel (..., out) is first
    reshaped to a matrix W of shape (-1, out) (a Dense kernel (in, out) as it is, a convolution's
    (kh, kw, in, out) to (kh kw in, out)); ``v`` (out,) is the start vector. Each step:
    u = W v / |W v|, then v = W^T u / |W^T u|. Return sigma = |W v| with the last v."""
    rng = np.random.default_rng(10)
    cases = []
    for description, kernel in (("a Dense kernel (16, 8)", rng.normal(size=(16, 8))),
                                ("a Dense kernel (8, 32), wider than tall", rng.normal(size=(8, 32))),
                                ("a Conv2D kernel (3, 3, 4, 6), float32", rng.normal(0, 0.2, size=(3, 3, 4, 6)).astype(np.float32))):
        matrix = np.asarray(kernel, np.float64).reshape(-1, kernel.shape[-1])
        v = rng.normal(size=kernel.shape[-1])
        if kernel.dtype == np.float32:
            v = v.astype(np.float32)
        sigma = np.linalg.svd(matrix, compute_uv=False)[0]
        cases.append((f"{description}, 200 steps (compared with np.linalg.svd)", (kernel, v, 200), sigma))
    kernel = rng.normal(size=(10, 5))
    v = rng.normal(size=5)
    cases.append(("a Dense kernel (10, 5), a single step from the given v (not yet the svd's answer)",
                  (kernel, v, 1), _one_step_estimate(kernel, v)))
    return run("spectral_norm", function, cases, compare=_scalar(1e-4), quiet=quiet)
