"""Checks for the exercises of notebook 12 (a style-based generator)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, relative, run, with_hints

__all__ = ["adain", "path_lengths", "truncate_layers"]


def _instance_norm(x, axes=(1, 2), eps=1e-5, power=0.5, eps_outside=False):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    if eps_outside:
        return (x - mean) / (np.sqrt(var) + eps)
    return (x - mean) / (var + eps) ** power


def adain(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, scale, bias) -> (n, h, w, c)``: adaptive instance normalisation
    (StyleGAN1). Each sample's each channel of ``x`` (n, h, w, c) is normalised over its h x w
    pixels, (x - mean) / sqrt(variance + 1e-5), then scaled and shifted by its style:
    ``scale`` (n, c) and ``bias`` (n, c)."""
    rng = np.random.default_rng(12)
    cases = []
    for description, shape, spread in (("2 samples, 4x4 pixels, 3 channels", (2, 4, 4, 3), 1.0),
                                       ("5 samples, 8x8 pixels, 6 channels, far from zero mean", (5, 8, 8, 6), 4.0),
                                       ("3 samples, 2x3 pixels, 4 channels, one channel almost constant", (3, 2, 3, 4), 1.0)):
        x = rng.normal(spread, spread, size=shape) * rng.uniform(0.5, 3, size=(shape[0], 1, 1, shape[3]))
        if "constant" in description:
            x[..., 0] = 0.7 + 1e-3 * rng.normal(size=shape[:3])  # variance 1e-6: the 1e-5 matters
        x = x.astype(np.float32)
        scale = rng.normal(1, 0.5, size=(shape[0], shape[3])).astype(np.float32)
        bias = rng.normal(0, 1, size=(shape[0], shape[3])).astype(np.float32)
        x64, s, b = x.astype(np.float64), scale[:, None, None, :].astype(np.float64), bias[:, None, None, :].astype(np.float64)
        right = _instance_norm(x64) * s + b
        mistakes = {
            "normalised over the batch too (that is batch normalisation): the statistics of AdaIN are per sample "
            "and per channel, over the h x w pixels only (axes 1 and 2)": _instance_norm(x64, axes=(0, 1, 2)) * s + b,
            "normalised over the channels too (that is layer normalisation): the statistics are per channel, over "
            "the pixels (axes 1 and 2)": _instance_norm(x64, axes=(1, 2, 3)) * s + b,
            "divided by the variance: divide by the standard deviation, sqrt(variance + 1e-5)":
                _instance_norm(x64, power=1.0) * s + b,
            "scale and bias swapped: the output is normalised * scale + bias": _instance_norm(x64) * b + s,
            "the style is applied before normalising, so normalising removes it: normalise x first, then "
            "scale and shift": _instance_norm(x64 * s + b),
            "the 1e-5 inside the square root is missing (a constant channel then divides by almost 0)":
                _instance_norm(x64, eps=0.0) * s + b,
            "the 1e-5 is added outside the square root: divide by sqrt(variance + 1e-5), not sqrt(variance) + 1e-5":
                _instance_norm(x64, eps_outside=True) * s + b,
        }
        cases.append((description, (x.copy(), scale.copy(), bias.copy()), (right, mistakes)))
    return run("adain", function, cases, compare=with_hints(relative(2e-4)), quiet=quiet)


def _synthesis(kind, matrix, offset, shape):
    """A stand-in for the synthesis network, written in TensorFlow so that a tape can differentiate
    it: w (n, d) -> images (n, h, w, c), linear or tanh of a linear map; and its Jacobian-vector
    products in NumPy (float64) for the expected answers."""
    import tensorflow as tf

    a, b = tf.constant(matrix, tf.float32), tf.constant(offset, tf.float32)

    def synthesis(w):
        z = tf.matmul(tf.convert_to_tensor(w, tf.float32), a) + b
        return tf.reshape(z if kind == "linear" else tf.tanh(z), (-1, *shape))

    def jacobian_t(w, v):  # J^T v for each sample: (n, d), v (n, h w c)
        z = w @ matrix + offset
        slope = np.ones_like(z) if kind == "linear" else 1 - np.tanh(z) ** 2
        return (slope * v) @ matrix.T

    return synthesis, jacobian_t


_NOT_WATCHED = ("w is NumPy (or not watched): tf.convert_to_tensor it and tape.watch it inside the tape (a tape "
                "differentiates only with respect to tensors it watches; otherwise the gradient is None)")


def _hint_unwatched(function: Callable) -> Callable:
    """``function`` with a hint added to the errors of differentiating with respect to a NumPy w
    (AttributeError '_id') or an unwatched tensor (a None gradient)."""

    def call(*args):
        try:
            return function(*args)
        except NotImplementedError:
            raise
        except (AttributeError, ValueError, TypeError) as error:
            text = str(error)
            if "'_id'" in text or "value (None)" in text or "'NoneType'" in text or "'ndarray'" in text:
                kind = next(k for k in (AttributeError, ValueError, TypeError) if isinstance(error, k))
                raise kind(f"{text.splitlines()[0][:200]}; {_NOT_WATCHED}") from error
            raise

    return call


def path_lengths(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(synthesis, w, y) -> (n,)``: StyleGAN2's path length of each sample,
    |J_w^T y'| with y' = y / sqrt(h w), where J_w is the Jacobian of the image synthesis(w)
    (n, h, w, c) with respect to that sample's w (n, d), and ``y`` (n, h, w, c) is a given
    standard normal image. Differentiate with a tf.GradientTape (the synthesis is TensorFlow)."""
    rng = np.random.default_rng(13)
    cases = []
    for description, kind, n, d, shape in (("linear synthesis, 3 samples, w of 5, 4x4x1 images", "linear", 3, 5, (4, 4, 1)),
                                           ("tanh synthesis, 5 samples, w of 6, 4x4x2 images", "tanh", 5, 6, (4, 4, 2)),
                                           ("tanh synthesis, 2 samples, w of 3, 8x8x1 images", "tanh", 2, 3, (8, 8, 1))):
        size = int(np.prod(shape))
        matrix = rng.normal(0, 1 / np.sqrt(d), size=(d, size))
        offset = rng.normal(0, 0.3, size=size)
        synthesis, jacobian_t = _synthesis(kind, matrix, offset, shape)
        w = rng.normal(size=(n, d)).astype(np.float32)
        y = rng.normal(size=(n, *shape)).astype(np.float32)
        flat = y.reshape(n, -1).astype(np.float64)
        pixels = shape[0] * shape[1]
        grad = jacobian_t(w.astype(np.float64), flat / np.sqrt(pixels))  # (n, d)
        right = np.linalg.norm(grad, axis=1)
        mistakes = {
            "y is not scaled: divide it by sqrt(h w), the number of pixels, so the length does not grow with "
            "the image size": right * np.sqrt(pixels),
            "divided by h w, not its square root: y' = y / sqrt(h w)": right / np.sqrt(pixels),
            "scaled by sqrt(h w c): StyleGAN2 divides by sqrt(h w), the pixels, not the channels too":
                right / np.sqrt(shape[2]),
            "the squared length: return the norm |J^T y'|, the square root of the sum of squares": right**2,
            "the gradient of a mean over the pixels: take the gradient of the sum of synthesis(w) * y' (a mean "
            "divides by the number of entries)": right / (n * size),
            "the gradient of a mean over the batch: take the gradient of the sum, each sample's image depends on "
            "its own w only": right / n,
        }
        cases.append((description, (synthesis, w.copy(), y.copy()), (right, mistakes)))
    return run("path_lengths", _hint_unwatched(function), cases, compare=with_hints(relative(1e-4)), quiet=quiet)


def truncate_layers(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(w, w_avg, psi) -> (n, layers, d)``: truncation with one psi per layer.
    Layer l's style vector is w_avg + psi[l] (w - w_avg), for ``w`` (n, d), ``w_avg`` (d,) and
    ``psi`` (layers,): psi = 1 keeps w, psi = 0 gives the mean."""
    rng = np.random.default_rng(14)
    cases = []
    for description, n, d, psi in (("3 samples, w of 4, psi (1, 0.5, 0)", 3, 4, [1.0, 0.5, 0.0]),
                                   ("5 samples, w of 8, psi (0.2, 0.2, 0.7, 1, 1, 1)", 5, 8, [0.2, 0.2, 0.7, 1.0, 1.0, 1.0]),
                                   ("2 samples, w of 3, psi (0.3, 0.9) as float32", 2, 3, [0.3, 0.9])):
        w = rng.normal(size=(n, d)).astype(np.float32)
        w_avg = rng.normal(1.0, 0.5, size=d).astype(np.float32)
        psi = np.array(psi, np.float32)
        w64, avg64, psi64 = w.astype(np.float64), w_avg.astype(np.float64), psi.astype(np.float64)
        right = avg64 + psi64[None, :, None] * (w64 - avg64)[:, None, :]
        mistakes = {
            "psi multiplies w itself: truncation pulls w towards the mean w, w_avg + psi (w - w_avg)":
                psi64[None, :, None] * w64[:, None, :],
            "psi and 1 - psi are swapped: psi = 1 must keep w, psi = 0 give w_avg":
                avg64 + (1 - psi64)[None, :, None] * (w64 - avg64)[:, None, :],
            "the axes are (layers, n, d): return (n, layers, d), one row of styles per sample":
                np.transpose(right, (1, 0, 2)),
        }
        cases.append((description, (w.copy(), w_avg.copy(), psi.copy()), (right, mistakes)))
    return run("truncate_layers", function, cases, compare=with_hints(relative(1e-5)), quiet=quiet)
