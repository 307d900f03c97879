"""Markov chain Monte Carlo, as built in notebook 10 (``10_mcmc_and_masked_lm.ipynb``).

- ``metropolis_hastings(log_target, x0, propose, steps, rng)``: many chains at once, each row of
  ``x0`` one chain; returns a ``Chain`` with the kept samples, the log-target trace and which
  proposals were accepted. An asymmetric proposal passes ``log_hastings`` (the log of
  q(x | x') / q(x' | x)).
- ``autocorrelation`` and ``effective_sample_size`` of a chain's trace.
- A substitution cipher on 27 symbols (space and a-z): ``letters`` (text -> ids), ``to_text``,
  ``bigram_counts``, ``bigram_log_probs``, keys (``random_key``, ``check_key``, ``invert_key``,
  ``substitute``), ``plausibility`` of decoding keys (O(27^2) per key, from the cipher's bigram
  counts, not O(text)) and the ``swap_letters`` proposal.

A key is a permutation of the 26 letters, an int array (26,): letter i (0 = a) becomes letter
``key[i]``; space (id 0 among the 27 symbols) is kept.
"""

import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ALPHABET = " abcdefghijklmnopqrstuvwxyz"  # id 0 is the space, 1..26 the letters
SYMBOLS = len(ALPHABET)


@dataclass
class Chain:
    """What ``metropolis_hastings`` returns.

    ``samples`` (kept, chains, ...): the state after every ``thin``-th step; ``log_target``
    (steps + 1, chains): the log target of the current state, from the start; ``accepted``
    (steps, chains) bool."""

    samples: np.ndarray
    log_target: np.ndarray
    accepted: np.ndarray

    @property
    def acceptance_rate(self) -> np.ndarray:
        """The share of proposals accepted, per chain (chains,)."""
        return self.accepted.mean(axis=0)

    @property
    def last(self) -> np.ndarray:
        """The final state of every chain (chains, ...)."""
        return self.samples[-1]


def _generator(rng) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def metropolis_hastings(log_target: Callable, x0, propose: Callable, steps: int, rng=None,
                        log_hastings: Callable | None = None, thin: int = 1) -> Chain:
    """Run Metropolis-Hastings chains side by side.

    ``x0`` (chains, ...) holds one starting state per row; ``log_target(x)`` maps states
    (chains, ...) to their unnormalised log target (chains,); ``propose(x, rng)`` returns a
    proposal of the same shape as ``x``. Each step draws the proposals, then one uniform number
    per chain, and accepts where log u < log p(x') - log p(x) [+ log_hastings(x, x')], the log of
    q(x | x') / q(x' | x) for an asymmetric proposal (leave it None for a symmetric one).
    """
    rng = _generator(rng)
    if not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(thin, int | np.integer) or thin < 1:
        raise ValueError(f"thin must be a positive integer, got {thin!r}")
    if thin > steps:
        raise ValueError(f"thin must be at most steps ({steps}), got {thin}: no state would be kept")
    x = np.array(x0)
    if x.ndim < 1 or len(x) == 0:
        raise ValueError(f"x0 must hold one state per chain, shape (chains, ...), got shape {x.shape}")
    chains = len(x)
    log_p = _log_target(log_target, x, chains, "x0")
    if not np.all(log_p > -np.inf):
        raise ValueError("some starting states have zero target probability (log target -inf): start inside the support")
    trace = np.empty((steps + 1, chains))
    trace[0] = log_p
    accepted = np.empty((steps, chains), bool)
    kept = []
    for step in range(steps):
        proposal = np.asarray(propose(x, rng))
        if proposal.shape != x.shape:
            raise ValueError(f"the proposal has shape {proposal.shape}, but the states have shape {x.shape}: "
                             "propose(x, rng) must return one new state per chain, shaped like x")
        log_p_new = _log_target(log_target, proposal, chains, "a proposal")
        log_alpha = log_p_new - log_p
        if log_hastings is not None:
            correction = np.asarray(log_hastings(x, proposal), dtype=float)
            if correction.shape != (chains,):
                raise ValueError(f"log_hastings must return one value per chain ({chains},), got shape {correction.shape}")
            log_alpha = log_alpha + correction
        accept = np.log(rng.random(chains)) < log_alpha  # (chains,)
        x = np.where(accept.reshape((chains,) + (1,) * (x.ndim - 1)), proposal, x)
        log_p = np.where(accept, log_p_new, log_p)
        trace[step + 1], accepted[step] = log_p, accept
        if (step + 1) % thin == 0:
            kept.append(x.copy())
    return Chain(samples=np.stack(kept), log_target=trace, accepted=accepted)


def _log_target(log_target, x, chains, what):
    log_p = np.asarray(log_target(x), dtype=float)
    if log_p.shape != (chains,):
        raise ValueError(f"log_target must return one value per chain ({chains},), got shape {log_p.shape} for {what}")
    if np.any(np.isnan(log_p)) or np.any(log_p == np.inf):
        raise ValueError(f"log_target returned nan or +inf for {what}")
    return log_p


def autocorrelation(x, max_lag: int | None = None) -> np.ndarray:
    """The autocorrelation of a trace x (n,) at lags 0..max_lag (default n - 1), by FFT."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or len(x) < 2:
        raise ValueError(f"need a 1-D trace of at least 2 values, got shape {x.shape}")
    if max_lag is not None and max_lag < 0:
        raise ValueError(f"max_lag must be 0 or more, got {max_lag}")
    n = len(x)
    max_lag = n - 1 if max_lag is None else min(max_lag, n - 1)
    centred = x - x.mean()
    spectrum = np.fft.rfft(centred, 2 * n)
    acov = np.fft.irfft(spectrum * np.conj(spectrum))[:n] / n
    if acov[0] == 0:
        raise ValueError("the trace is constant: its autocorrelation is undefined (did any proposal get accepted?)")
    return acov[: max_lag + 1] / acov[0]


def effective_sample_size(x) -> float:
    """How many independent draws a correlated trace x (n,) is worth: n / (1 + 2 sum of the
    autocorrelations), the sum cut by Geyer's initial positive sequence (pairs of lags summed
    while the pair is positive)."""
    rho = autocorrelation(x)
    n = len(rho)
    total = 0.0
    for k in range(0, n - 1, 2):
        pair = rho[k] + rho[k + 1]
        if pair <= 0:
            break
        total += pair
    return float(n / (2 * total - 1)) if total > 0 else float(n)


# ---- the substitution cipher -------------------------------------------------------------------


def letters(text: str) -> np.ndarray:
    """Text as ids of the 27 symbols: lower-cased, every run of characters other than a-z
    becomes one space; int64 (n,)."""
    if not isinstance(text, str):
        raise TypeError(f"letters needs a string, got {type(text).__name__}")
    cleaned = re.sub(r"[^a-z]+", " ", text.lower())
    return np.frombuffer(cleaned.encode("ascii"), np.uint8).astype(np.int64).clip(96) - 96


def to_text(ids) -> str:
    """Ids of the 27 symbols back to text."""
    return "".join(ALPHABET[i] for i in np.asarray(ids).ravel())


def _check_ids(ids) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D integer array, got {ids.dtype} of shape {ids.shape}")
    if len(ids) and (ids.min() < 0 or ids.max() >= SYMBOLS):
        raise ValueError(f"ids must lie in 0..{SYMBOLS - 1} (space and a-z), got {ids.min()}..{ids.max()}")
    return ids


def bigram_counts(ids) -> np.ndarray:
    """How often each symbol follows each other one: (27, 27), counts[a, b] for a then b."""
    ids = _check_ids(ids)
    return np.bincount(ids[:-1] * SYMBOLS + ids[1:], minlength=SYMBOLS**2).reshape(SYMBOLS, SYMBOLS)


def bigram_log_probs(ids, smoothing: float = 1.0) -> np.ndarray:
    """log p(b | a) (27, 27) of a bigram model of ``ids``, with add-``smoothing`` counts
    (a positive, finite number)."""
    if isinstance(smoothing, bool) or not isinstance(smoothing, numbers.Real):
        raise ValueError(f"smoothing must be a positive number (a pseudo-count added to every bigram), "
                         f"got {smoothing!r} of type {type(smoothing).__name__}")
    if not np.isfinite(smoothing) or smoothing <= 0:
        raise ValueError(f"smoothing must be positive and finite (a zero probability would make keys impossible), "
                         f"got {smoothing!r}")
    counts = bigram_counts(ids) + smoothing
    return np.log(counts / counts.sum(axis=1, keepdims=True))


def check_key(key) -> np.ndarray:
    """The key as an int array (26,), or a ValueError that says what is wrong with it."""
    key = np.asarray(key)
    if key.shape != (26,):
        raise ValueError(f"a key maps each of the 26 letters to a letter: shape (26,), got {key.shape}")
    if not np.issubdtype(key.dtype, np.integer):
        raise ValueError(f"a key holds integer letter ids 0..25, got dtype {key.dtype}")
    if not np.array_equal(np.sort(key), np.arange(26)):
        missing = sorted(set(range(26)) - set(key.tolist()))
        raise ValueError(f"a key must be a permutation of 0..25 (each letter used once); letters never used: {missing}")
    return key.astype(np.int64)


def _check_keys(keys: np.ndarray, name: str) -> None:
    """Raise a ValueError naming ``name`` and the first row of ``keys`` (..., 26) that is not a key."""
    if not np.issubdtype(keys.dtype, np.integer):
        raise ValueError(f"{name} must hold integer letter ids 0..25 (each row a key), got dtype {keys.dtype}")
    wrong = ~np.all(np.sort(keys, axis=-1) == np.arange(26), axis=-1)
    if np.any(wrong):
        where = tuple(int(i) for i in np.argwhere(wrong)[0])
        try:
            check_key(keys[where])
        except ValueError as error:  # say which row, then what is wrong with it
            label = f"{name}[{', '.join(map(str, where))}]" if where else name
            raise ValueError(f"{label} is not a key: {error}") from None


def random_key(rng=None) -> np.ndarray:
    """A random permutation of the 26 letters (26,)."""
    return _generator(rng).permutation(26)


def invert_key(key) -> np.ndarray:
    """The key that undoes ``key``: invert_key(key)[key[i]] = i."""
    return np.argsort(check_key(key))


def substitute(ids, key) -> np.ndarray:
    """Replace every letter of ``ids`` (27 symbols) by its image under ``key``; spaces stay."""
    ids, key = _check_ids(ids), check_key(key)
    full = np.concatenate([[0], key + 1])  # (27,): the map on all symbols
    return full[ids]


def plausibility(keys, counts, log_probs) -> np.ndarray:
    """log p(text deciphered with each key) under a bigram model, from the cipher's bigram counts:
    sum over (a, b) of counts[a, b] * log_probs[key(a), key(b)] (the first symbol's own term is
    left out). ``keys`` (..., 26) of decoding keys (cipher letter -> plain letter), ``counts``
    and ``log_probs`` (27, 27). Returns (...,). Costs O(27^2) per key, whatever the text length."""
    keys = np.asarray(keys)
    counts, log_probs = np.asarray(counts), np.asarray(log_probs)
    for name, m in (("counts", counts), ("log_probs", log_probs)):
        if m.shape != (SYMBOLS, SYMBOLS):
            raise ValueError(f"{name} must be ({SYMBOLS}, {SYMBOLS}), got {m.shape}")
    if keys.shape[-1:] != (26,):
        raise ValueError(f"keys must have shape (..., 26), got {keys.shape}")
    _check_keys(keys, "keys")
    full = np.concatenate([np.zeros(keys.shape[:-1] + (1,), np.int64), keys + 1], axis=-1)  # (..., 27)
    table = log_probs[full[..., :, None], full[..., None, :]]  # (..., 27, 27)
    return np.einsum("...ab,ab->...", table, counts)


def swap_letters(keys, rng=None) -> np.ndarray:
    """The cipher's proposal: in each key (chains, 26) swap two different letters, chosen at random.
    Every row must be a key (a permutation of 0..25). ``rng`` is a ``np.random.Generator`` or a
    seed (None: a fresh one)."""
    if keys is None:
        raise ValueError("keys must have shape (chains, 26), got None")
    rng = _generator(rng)
    keys = np.asarray(keys)
    if keys.ndim != 2 or keys.shape[1] != 26:
        raise ValueError(f"keys must have shape (chains, 26), got {keys.shape}")
    _check_keys(keys, "keys")
    rows = np.arange(len(keys))
    i = rng.integers(0, 26, len(keys))
    j = (i + rng.integers(1, 26, len(keys))) % 26  # a different letter
    out = keys.copy()
    out[rows, i], out[rows, j] = keys[rows, j], keys[rows, i]
    return out
