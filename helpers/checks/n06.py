"""Checks for the exercises of notebook 06 (RL fine-tuning)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["group_advantages", "ipo_loss", "entropy_bonus"]


def _group_reference(rewards, group_size, eps=1e-6):
    groups = np.asarray(rewards, dtype=np.float64).reshape(-1, group_size)
    out = (groups - groups.mean(axis=1, keepdims=True)) / (groups.std(axis=1, keepdims=True) + eps)
    return out.reshape(-1)


def group_advantages(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(rewards, group_size) -> advantages`` (n,): the GRPO advantage. The n
    rewards come in consecutive groups of ``group_size`` (samples 0..k-1 are group 0, and so on);
    each reward minus its group's mean, divided by its group's standard deviation (ddof=0) plus
    eps = 1e-6, so that a group whose rewards are all equal gets advantages 0, not NaN."""
    rng = np.random.default_rng(6)
    cases = []
    for groups, k, kind in ((1, 4, "normal"), (3, 4, "binary"), (4, 8, "scaled"), (2, 3, "constant group")):
        if kind == "binary":
            rewards = (rng.random(groups * k) < 0.4).astype(np.float32)
            rewards[:k] = [1, 0, 0, 0]  # every group mixed: no all-equal group here
        elif kind == "scaled":
            rewards = (rng.normal(size=groups * k) * np.repeat([0.1, 1.0, 5.0, 20.0], k) + np.repeat([0, 3, -2, 40], k))
        elif kind == "constant group":
            rewards = np.array([1.0, 1.0, 1.0, 0.0, 2.0, 0.5])
        else:
            rewards = rng.normal(size=groups * k)
        rewards = rewards.astype(np.float32)
        cases.append((f"{groups} group(s) of {k}, {kind} rewards", (rewards.copy(), k), _group_reference(rewards, k)))

    def compare(got, expected):
        got_array = np.asarray(got, dtype=np.float64) if np.ndim(got) else got
        if np.ndim(got) and np.isnan(got_array).any() and not np.isnan(expected).any():
            return ("NaN in the answer: a group whose rewards are all equal has standard deviation 0; add eps "
                    "to it before dividing")
        return compare_arrays(got, expected, 1e-4)

    return run("group_advantages", function, cases, compare=compare, quiet=quiet)


def _ipo_reference(pc, pr, rc, rr, tau):
    h = (pc - rc) - (pr - rr)
    return float(np.mean((h - 1.0 / (2.0 * tau)) ** 2))


def ipo_loss(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(policy_chosen, policy_rejected, reference_chosen, reference_rejected, tau)
    -> loss``: the IPO loss, the mean over pairs of (h - 1/(2 tau))**2 with h the policy's log-ratio
    margin (log pi(chosen) - log ref(chosen)) - (log pi(rejected) - log ref(rejected)). The four
    inputs are (n,) sequence log-probabilities."""
    rng = np.random.default_rng(16)
    cases = []
    for n, tau in ((1, 0.5), (8, 0.1), (64, 2.0)):
        pc, pr = -rng.uniform(5, 20, n), -rng.uniform(5, 20, n)
        rc, rr = pc + rng.normal(0, 2, n), pr + rng.normal(0, 2, n)  # reference differs from the policy
        args = tuple(a.astype(np.float32) for a in (pc, pr, rc, rr)) + (tau,)
        cases.append((f"{n} pair(s), tau={tau}", args, _ipo_reference(*map(np.float64, args[:4]), tau)))

    def compare(got, expected):
        if np.ndim(got) != 0 and np.size(got) != 1:
            return f"returned shape {np.shape(got)}, expected one number (the mean over pairs)"
        try:
            value = float(np.asarray(got).reshape(()))
        except (TypeError, ValueError):
            return f"returned {type(got).__name__}, expected a number"
        if not np.isfinite(value) or abs(value - expected) > 1e-4 * max(1.0, abs(expected)):
            return f"got {value:.6g}, expected {expected:.6g}"
        return None

    return run("ipo_loss", function, cases, compare=compare, quiet=quiet)


def _entropy_reference(logits, mask):
    z = logits - logits.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    entropy = -(np.exp(log_p) * log_p).sum(axis=-1)  # (batch, time)
    return (entropy * mask).sum(axis=-1)


def entropy_bonus(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(logits, mask) -> (batch,)``: for each sequence, the sum over its real
    positions (mask 1) of the entropy, in nats, of the next-token distribution softmax(logits[b, t])
    over the vocabulary; logits (batch, time, vocabulary), mask (batch, time) of 0.0 and 1.0."""
    rng = np.random.default_rng(26)
    cases = []
    for batch, time, vocabulary, sharp in ((1, 3, 4, 1.0), (4, 6, 29, 3.0), (3, 5, 7, 0.3)):
        logits = (rng.normal(size=(batch, time, vocabulary)) * sharp).astype(np.float32)
        lengths = rng.integers(1, time + 1, batch)
        lengths[0] = max(1, time - 2)  # at least one row with padding
        mask = (np.arange(time) < lengths[:, None]).astype(np.float32)
        expected = _entropy_reference(logits.astype(np.float64), mask)
        cases.append((f"batch {batch}, {time} positions, vocabulary {vocabulary}", (logits.copy(), mask.copy()),
                      expected))

    def compare(got, expected):
        problem = compare_arrays(got, expected, 1e-4 * max(1.0, float(np.abs(expected).max())))
        if problem and np.ndim(got) == 1 and np.all(np.asarray(got) <= 0) and np.all(expected > 0):
            problem += " (entropies are positive: -sum p log p)"
        return problem

    return run("entropy_bonus", function, cases, compare=compare, quiet=quiet)
