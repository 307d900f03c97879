"""Checks for the exercises of notebook 07 (VAE)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["reparameterise", "gaussian_kl"]


def _gaussian_cases(seed: int):
    rng = np.random.default_rng(seed)
    return [(f"{n} codes of {d} dimensions", rng.normal(size=(n, d)), rng.normal(0, 1.5, size=(n, d)))
            for n, d in ((1, 1), (4, 2), (16, 8))]


def reparameterise(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(mu, log_var, eps) -> z`` (n, d): z = mu + sigma * eps with
    sigma = exp(log_var / 2), so that z is a differentiable function of mu and log_var."""
    cases = []
    for i, (description, mu, log_var) in enumerate(_gaussian_cases(3)):
        eps = np.random.default_rng(i).normal(size=mu.shape)
        cases.append((description, (mu, log_var, eps), mu + np.sqrt(np.exp(log_var)) * eps))
    return run("reparameterise", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-5), quiet=quiet)


def gaussian_kl(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(mu, log_var) -> kl`` (n,): KL(N(mu, diag(exp(log_var))) || N(0, I)) in
    nats, summed over the d latent dimensions of each of the n codes."""
    cases = []
    for description, mu, log_var in _gaussian_cases(4):
        variance = np.exp(log_var)
        # per dimension: -log sigma + (sigma^2 + mu^2) / 2 - 1/2, the textbook form
        expected = np.sum(-0.5 * log_var + (variance + mu**2) / 2 - 0.5, axis=-1)
        cases.append((description, (mu, log_var), expected))
    cases.append(("the prior itself (mu = 0, log_var = 0) has KL 0", (np.zeros((2, 3)), np.zeros((2, 3))), np.zeros(2)))
    return run("gaussian_kl", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-4), quiet=quiet)
