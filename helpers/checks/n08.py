"""Checks for the exercises of notebook 08 (GAN)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["gradient_penalty", "generator_loss"]


def _quadratic_critic(shape, seed):
    """A critic f(x) = sum(w x + a x^2 / 2) whose input gradient w + a x is known exactly."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    w, a = rng.normal(size=shape[1:]), rng.uniform(0.5, 2, size=shape[1:])
    axes = list(range(1, len(shape)))

    def critic(x):
        x = tf.cast(x, tf.float64)
        return tf.reduce_sum(w * x + a * x**2 / 2, axis=axes)[:, None]  # (n, 1), like a Dense(1) critic

    return critic, lambda x: w + a * x


def gradient_penalty(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(critic, real, fake, eps) -> penalty`` (a scalar): the WGAN-GP penalty
    mean((|grad_x critic(x)| - 1)^2) at x = eps * real + (1 - eps) * fake, with eps (n, 1, ...)
    and the norm over every axis but the first (without the weight lambda)."""
    rng = np.random.default_rng(5)
    cases = []
    for shape in ((4, 2), (8, 8, 8, 1)):
        critic, gradient = _quadratic_critic(shape, seed=len(shape))
        real, fake = rng.normal(size=shape), rng.normal(size=shape)
        eps = rng.uniform(size=(shape[0],) + (1,) * (len(shape) - 1))
        grad = gradient(eps * real + (1 - eps) * fake)
        norm = np.sqrt(np.sum(grad**2, axis=tuple(range(1, len(shape)))))
        cases.append((f"inputs {shape}", (critic, real, fake, eps), np.mean((norm - 1) ** 2)))
    return run("gradient_penalty", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-4 * (1 + abs(e))),
               quiet=quiet)


def generator_loss(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(fake_logits) -> loss`` (a scalar): the non-saturating generator loss
    -mean(log sigmoid(logits)) of the discriminator's logits on generated samples, computed
    stably: float32 logits of -200 must give a finite loss near 200 (use softplus)."""
    rng = np.random.default_rng(6)
    cases = [(description, (logits,), np.mean(np.logaddexp(0, -logits.astype(np.float64))))
             for description, logits in (("64 logits around 0", rng.normal(size=(64, 1))),
                                         ("a confident discriminator, logits near -8", rng.normal(-8, 1, size=(32, 1))),
                                         ("extreme float32 logits -200 and 200", np.array([[-200.0], [200.0]], np.float32)))]
    return run("generator_loss", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-4 * (1 + abs(e))),
               quiet=quiet)
