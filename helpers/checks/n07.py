"""Checks for the exercises of notebook 07 (VAE)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["iwae_bound", "kl_diagonal_gaussians"]


def _logsumexp(a, axis):
    top = a.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.exp(a - top).sum(axis=axis))


def _iwae_reference(log_weights: np.ndarray, k: int) -> float:
    """The k-sample bound, averaged over the images and the K // k groups of k consecutive draws."""
    draws, n = log_weights.shape
    groups = log_weights[: draws // k * k].reshape(draws // k, k, n)  # (groups, k, n)
    return float(np.mean(_logsumexp(groups, axis=1) - np.log(k)))


def _relative(tolerance: float):
    """Compare scalars within ``tolerance`` relative to their size (float32 answers pass)."""
    return lambda got, expected: compare_arrays(np.asarray(got, np.float64).reshape(np.shape(expected)), expected,
                                                tolerance * (1 + np.max(np.abs(expected))))


def iwae_bound(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(log_weights, k) -> bound`` (a scalar): the importance-weighted bound on
    log p(x) with k samples, log (1/k) sum_i w_i, from ``log_weights`` (K, n): K draws of
    log p(x, z) - log q(z | x) for each of n images. Split the K draws into K // k groups of k
    consecutive draws, compute the bound for each group and image, and return the mean over groups
    and images. It must be stable: real log-weights are hundreds of nats below 0."""
    rng = np.random.default_rng(7)
    small = rng.normal(-3, 1.5, size=(8, 5))  # (K = 8 draws, 5 images)
    real_size = rng.normal(-150, 4, size=(64, 20)) - rng.gamma(2, 3, size=(64, 20))  # skewed, like a VAE's
    cases = [("k = 1 (the ELBO estimate), 8 draws of 5 images", (small, 1), _iwae_reference(small, 1)),
             ("k = 4, 8 draws of 5 images (2 groups)", (small, 4), _iwae_reference(small, 4)),
             ("k = 8, 8 draws of 5 images (1 group)", (small, 8), _iwae_reference(small, 8)),
             ("k = 16, log-weights near -150 nats (exp underflows to 0 in float32)",
              (real_size.astype(np.float32), 16), _iwae_reference(real_size, 16)),
             ("k = 64, log-weights near -800 nats (exp underflows even in float64)",
              (real_size - 650, 64), _iwae_reference(real_size - 650, 64))]
    return run("iwae_bound", function, cases, compare=_relative(2e-6), quiet=quiet)


def _kl_reference(mu_q, log_var_q, mu_p, log_var_p):
    return 0.5 * np.sum(log_var_p - log_var_q + (np.exp(log_var_q) + (mu_q - mu_p) ** 2) / np.exp(log_var_p) - 1,
                        axis=-1)


def kl_diagonal_gaussians(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(mu_q, log_var_q, mu_p, log_var_p) -> kl`` (n,): KL(q || p) in nats between
    two diagonal Gaussians q = N(mu_q, diag(exp(log_var_q))) and p = N(mu_p, diag(exp(log_var_p))),
    all four (n, d), summed over the d dimensions of each of the n codes."""
    rng = np.random.default_rng(8)
    cases = []
    for n, d in ((1, 1), (4, 3), (16, 8)):
        args = (rng.normal(size=(n, d)), rng.normal(0, 1, size=(n, d)),
                rng.normal(0, 1.5, size=(n, d)), rng.normal(0, 1, size=(n, d)))
        cases.append((f"{n} codes of {d} dimensions", args, _kl_reference(*args)))
    mu, log_var = rng.normal(size=(3, 4)), rng.normal(0, 0.5, size=(3, 4))
    cases.append(("the prior N(0, I): the lesson's KL", (mu, log_var, np.zeros((3, 4)), np.zeros((3, 4))),
                  _kl_reference(mu, log_var, 0.0, 0.0)))
    cases.append(("q equal to p: KL 0", (mu, log_var, mu, log_var), np.zeros(3)))
    f32 = tuple(a.astype(np.float32) for a in cases[1][1])
    cases.append(("float32 inputs, 4 codes of 3 dimensions", f32, cases[1][2]))
    return run("kl_diagonal_gaussians", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-4 * (1 + np.abs(e).max())),
               quiet=quiet)
