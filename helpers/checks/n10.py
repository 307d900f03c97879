"""Checks for the exercises of notebook 10 (MCMC and a masked language model)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, relative, run, with_hints

__all__ = ["lognormal_log_acceptance", "swap_change", "pseudo_log_likelihood"]


def lognormal_log_acceptance(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(log_target, x, x_new) -> log alpha`` (n,): the log of the
    Metropolis-Hastings acceptance probability for the log-normal (multiplicative) random walk
    x' = x exp(s eps), eps ~ N(0, 1), on positive states. Its density is
    q(x' | x) = exp(-(log x' - log x)^2 / (2 s^2)) / (x' s sqrt(2 pi)), so
    q(x | x') / q(x' | x) = x' / x (whatever s) and
    log alpha = min(0, log p(x') - log p(x) + log x' - log x)."""
    rng = np.random.default_rng(0)

    def log_gamma(x):  # a Gamma(3, 1) target, unnormalised
        return 2 * np.log(x) - x

    def log_lognormal(x):  # a log-normal target: log x ~ N(1, 0.5^2), unnormalised
        return -np.log(x) - 0.5 * ((np.log(x) - 1.0) / 0.5) ** 2

    def log_half_cauchy(x):
        return -np.log1p(x**2)

    full_cases = []
    for description, log_p, draw in (("Gamma(3, 1) target", log_gamma, lambda: rng.gamma(3.0, size=12)),
                                     ("log-normal target", log_lognormal, lambda: np.exp(1.0 + 0.5 * rng.normal(size=10))),
                                     ("half-Cauchy target", log_half_cauchy, lambda: np.abs(rng.standard_cauchy(8)) + 0.05)):
        for _ in range(1000):  # log ratios below 0, in (0, 1) and above 1, so that each mistake shows
            x = draw()
            y = x * np.exp(1.2 * rng.normal(size=len(x)))
            log_ratio = log_p(y) - log_p(x) + np.log(y) - np.log(x)
            if np.any(log_ratio < 0) and np.any((log_ratio > 0.05) & (log_ratio < 0.95)) and np.any(log_ratio > 1.05):
                break
        right = np.minimum(0.0, log_ratio)
        mistakes = {
            "the Hastings correction is missing: this walk is not symmetric, q(x | x') / q(x' | x) = x' / x":
                np.minimum(0.0, log_p(y) - log_p(x)),
            "the Hastings correction is upside down: q(x | x') / q(x' | x) = x' / x, so add log x' - log x":
                np.minimum(0.0, log_p(y) - log_p(x) - np.log(y) + np.log(x)),
            "a probability is at most 1, and min(1, .) in log space is min(0, .)": log_ratio,
            "min(1, .) in log space is min(0, .): log 1 = 0": np.minimum(1.0, log_ratio),
            "return log alpha, not alpha (no exp)": np.exp(right),
            "the target ratio is upside down: p(x') / p(x), the proposal's over the current state's":
                np.minimum(0.0, log_p(x) - log_p(y) + np.log(y) - np.log(x)),
        }
        full_cases.append((description, (log_p, x.copy(), y.copy()), (right, mistakes)))
    return run("lognormal_log_acceptance", function, full_cases, compare=with_hints(relative(1e-6)), quiet=quiet)


def _plausibility(key, counts, log_probs):
    full = np.concatenate([[0], np.asarray(key) + 1])
    return float(np.sum(log_probs[full[:, None], full[None, :]] * counts))


def _plausibility_symbols(full, counts, log_probs):  # full (27,): symbol -> plain symbol
    return float(np.sum(log_probs[full[:, None], full[None, :]] * counts))


def _swapped(key, i, j):
    key = np.array(key)
    key[i], key[j] = key[j], key[i]
    return key


def swap_change(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(counts, log_probs, key, i, j) -> float``: how much the log plausibility
    of the decoding ``key`` (26,) changes when the images of cipher letters i and j (0 = a) are
    swapped, from the cipher's bigram ``counts`` (27, 27) and the bigram ``log_probs`` (27, 27)
    (symbol 0 is the space, letter i is symbol i + 1)."""
    rng = np.random.default_rng(1)
    cases = []
    for n, (i, j) in ((200, (0, 1)), (1000, (4, 19)), (3000, (25, 7)), (500, (3, 4))):
        cipher = rng.choice(27, size=n, p=np.r_[0.18, rng.dirichlet(np.ones(26)) * 0.82])
        cipher = np.r_[cipher, [i + 1, i + 1, j + 1]]  # the two letters side by side too (aa, ab)
        counts = np.bincount(cipher[:-1] * 27 + cipher[1:], minlength=27 * 27).reshape(27, 27)
        log_probs = np.log(rng.dirichlet(np.ones(27), size=27))
        key = rng.permutation(26)
        before, after = _plausibility(key, counts, log_probs), _plausibility(_swapped(key, i, j), counts, log_probs)
        right = after - before
        a, b = i + 1, j + 1
        full = np.concatenate([[0], key + 1])
        new = np.concatenate([[0], _swapped(key, i, j) + 1])
        rows_only = sum(float(np.sum(counts[s] * (log_probs[new[s], new] - log_probs[full[s], full]))) for s in (a, b))
        cols_only = sum(float(np.sum(counts[:, s] * (log_probs[new, new[s]] - log_probs[full, full[s]]))) for s in (a, b))
        no_offset = (_plausibility_symbols(_swapped(full, i, j), counts, log_probs)
                     - _plausibility_symbols(full, counts, log_probs))
        mistakes = {
            "letter i is symbol i + 1 among the 27 (symbol 0 is the space): swap symbols i + 1 and j + 1": no_offset,
            "the sign is flipped: the change is plausibility(after the swap) - plausibility(before)": -right,
            "only the rows of the two letters changed: they also appear as the second letter of a bigram (columns)":
                rows_only,
            "only the columns changed: the two letters also start bigrams (rows)": cols_only,
            "the bigrams among the two letters themselves (aa, ab, ba, bb) are counted twice, once as a row and once "
            "as a column": rows_only + cols_only,
        }
        cases.append((f"{n} cipher characters, swap letters {i} and {j}", (counts, log_probs, key.copy(), i, j),
                      (right, mistakes)))
    return run("swap_change", function, cases, compare=with_hints(relative(1e-6)), quiet=quiet)


def _toy_logits(weights):
    """A stand-in for a masked model: logits (m, T, V) from the token itself and its neighbours."""
    own, left, right = weights

    def logits(tokens):
        tokens = np.asarray(tokens)
        padded = np.pad(tokens, ((0, 0), (1, 1)), constant_values=own.shape[0] - 1)
        return own[tokens] + left[padded[:, :-2]] + right[padded[:, 2:]]

    return logits


def pseudo_log_likelihood(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(logits_fn, ids, mask_id) -> (n,)``: the pseudo-log-likelihood
    sum over t of log p(x_t | every other character) of each text in ``ids`` (n, T), where
    ``logits_fn(tokens)`` maps tokens (m, T) (with ``mask_id`` where hidden) to logits (m, T, V)
    and p is their softmax at the hidden position."""
    rng = np.random.default_rng(2)
    cases = []
    for n, length, vocab in ((1, 5, 4), (3, 12, 7), (2, 30, 11)):
        mask_id = vocab  # the extra input token
        weights = tuple(rng.normal(0, 1.5, (vocab + 2, vocab)) for _ in range(3))  # rows: tokens, mask, padding
        logits_fn = _toy_logits(weights)
        ids = rng.integers(0, vocab, (n, length))

        def pll(hide, normalise=True, shift=0, n=n, length=length, ids=ids, mask_id=mask_id, logits_fn=logits_fn):
            total = np.zeros(n)
            for t in range(length):
                tokens = ids.copy()
                if hide == "one":
                    tokens[:, t] = mask_id
                elif hide == "all":
                    tokens[:] = mask_id
                z = logits_fn(tokens)[:, t]
                if normalise:
                    z = z - np.log(np.sum(np.exp(z - z.max(axis=1, keepdims=True)), axis=1, keepdims=True)) - z.max(axis=1, keepdims=True)
                total += z[np.arange(n), ids[:, (t + shift) % length]]
            return total

        right = pll("one")
        mistakes = {
            "the character being scored was not hidden: mask position t (and only t) before reading p(x_t | ...)":
                pll("none"),
            "every position was hidden at once: hide one position per copy of the text, the others stay visible":
                pll("all"),
            "logits are not log-probabilities: apply log-softmax over the vocabulary first": pll("one", normalise=False),
            "off by one: the score at position t is for the character at position t": pll("one", shift=1),
            "the pseudo-log-likelihood is the sum over the positions, not the mean": pll("one") / length,
        }
        cases.append((f"{n} texts of {length} characters, vocabulary {vocab}", (logits_fn, ids.copy(), mask_id),
                      (right, mistakes)))
    return run("pseudo_log_likelihood", function, cases, compare=with_hints(relative(1e-5)), quiet=quiet)
