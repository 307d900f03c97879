"""Checks for the exercises of notebook 10 (MCMC and a masked language model)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["mh_log_acceptance", "swap_change", "pseudo_log_likelihood"]


def _with_hints(compare):
    """Wrap ``compare`` so that a wrong answer equal to a known mistake is named.

    Each case's expected value is ``(right, {hint: the output that mistake gives})``."""

    def compare_with_hints(got, expected):
        right, mistakes = expected
        problem = compare(got, right)
        if problem is None:
            return None
        for hint, wrong in mistakes.items():
            if compare(got, wrong) is None:
                return f"{problem}; {hint}"
        return problem

    return compare_with_hints


def _relative(atol: float = 1e-5):
    """Compare with a tolerance relative to the size of the answer (float32 answers pass)."""

    def compare(got, expected):
        scale = max(1.0, float(np.max(np.abs(np.asarray(expected, dtype=float)), initial=0.0)))
        return compare_arrays(np.asarray(got, dtype=float), expected, atol * scale)

    return compare


def mh_log_acceptance(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(log_target, log_proposal, x, x_new) -> log alpha`` (n,): the log of the
    Metropolis-Hastings acceptance probability min(1, p(x') q(x | x') / (p(x) q(x' | x))) for
    arrays of current states ``x`` and proposals ``x_new``, where ``log_proposal(a, b)`` is
    log q(b | a), the log density of proposing b from a."""
    rng = np.random.default_rng(0)
    cases = []

    def log_gamma(x):  # a Gamma(3, 1) target, unnormalised
        return 2 * np.log(x) - x

    def log_lognormal_walk(a, b, s=0.7):  # q(b | a): b = a * exp(s * noise)
        return -np.log(b) - 0.5 * (np.log(b / a) / s) ** 2

    x = rng.gamma(3.0, size=6)
    cases.append(("Gamma target, log-normal proposal", (log_gamma, log_lognormal_walk, x, x * np.exp(0.7 * rng.normal(size=6)))))

    def log_two_humps(x):
        return np.logaddexp(-0.5 * (x + 2) ** 2, np.log(3) - 0.5 * (x - 2) ** 2)

    def log_drift(a, b, drift=0.8, s=1.0):  # q(b | a): a random walk that drifts to the right
        return -0.5 * ((b - a - drift) / s) ** 2

    x = rng.normal(size=8) * 2
    cases.append(("two humps, drifting walk", (log_two_humps, log_drift, x, x + 0.8 + rng.normal(size=8))))

    def log_poisson(k):  # a Poisson(4) target on 0, 1, 2, ...
        return k * np.log(4.0) - np.array([np.sum(np.log(np.arange(1, int(v) + 1))) for v in np.atleast_1d(k)])

    def log_up_down(a, b):  # from a: up with probability 0.7, down with 0.3 (down from 0 stays at 0... avoided)
        return np.where(b > a, np.log(0.7), np.log(0.3))

    k = rng.integers(1, 9, size=10).astype(float)
    cases.append(("Poisson target, lopsided up/down steps", (log_poisson, log_up_down, k, k + rng.choice([-1.0, 1.0], 10))))

    full_cases = []
    for description, (log_p, log_q, x, y) in cases:
        log_ratio = log_p(y) - log_p(x) + log_q(y, x) - log_q(x, y)
        right = np.minimum(0.0, log_ratio)
        mistakes = {
            "the Hastings correction log q(x | x') - log q(x' | x) is missing (that is only right for a symmetric proposal)":
                np.minimum(0.0, log_p(y) - log_p(x)),
            "the proposal densities are the wrong way round: it is q(x | x') / q(x' | x), the reverse move over the forward move":
                np.minimum(0.0, log_p(y) - log_p(x) + log_q(x, y) - log_q(y, x)),
            "a probability is at most 1: take min(0, log ratio)": log_ratio,
            "the target ratio is upside down: p(x') / p(x), the proposal's over the current state's":
                np.minimum(0.0, log_p(x) - log_p(y) + log_q(y, x) - log_q(x, y)),
        }
        full_cases.append((description, (log_p, log_q, x, y), (right, mistakes)))
    return run("mh_log_acceptance", function, full_cases, compare=_with_hints(_relative(1e-6)), quiet=quiet)


def _plausibility(key, counts, log_probs):
    full = np.concatenate([[0], np.asarray(key) + 1])
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
        mistakes = {
            "the sign is flipped: the change is plausibility(after the swap) - plausibility(before)": -right,
            "only the rows of the two letters changed: they also appear as the second letter of a bigram (columns)":
                rows_only,
            "only the columns changed: the two letters also start bigrams (rows)": cols_only,
            "the bigrams among the two letters themselves (aa, ab, ba, bb) are counted twice, once as a row and once "
            "as a column": rows_only + cols_only,
        }
        cases.append((f"{n} cipher characters, swap letters {i} and {j}", (counts, log_probs, key.copy(), i, j),
                      (right, mistakes)))
    return run("swap_change", function, cases, compare=_with_hints(_relative(1e-6)), quiet=quiet)


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
        }
        cases.append((f"{n} texts of {length} characters, vocabulary {vocab}", (logits_fn, ids.copy(), mask_id),
                      (right, mistakes)))
    return run("pseudo_log_likelihood", function, cases, compare=_with_hints(_relative(1e-5)), quiet=quiet)
