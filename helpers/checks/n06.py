"""Checks for the exercises of notebook 06 (RL fine-tuning)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run, with_hints

__all__ = ["group_advantages", "ipo_loss", "entropy_bonus"]


def _group_reference(rewards, group_size, eps=1e-6, ddof=0):
    groups = np.asarray(rewards, dtype=np.float64).reshape(-1, group_size)
    out = (groups - groups.mean(axis=1, keepdims=True)) / (groups.std(axis=1, ddof=ddof, keepdims=True) + eps)
    return out.reshape(-1)


def _group_mistakes(rewards, k):
    """What typical mistakes give on these rewards, each with the hint that names it."""
    r = np.asarray(rewards, dtype=np.float64)
    groups = r.reshape(-1, k)
    return {
        "you used the sample standard deviation (ddof=1); use the population one (ddof=0, NumPy's default)":
            _group_reference(r, k, ddof=1),
        "you normalised over the whole batch; normalise each group of group_size by its own mean and std":
            (r - r.mean()) / (r.std() + 1e-6),
        "you only subtracted the group mean; also divide by the group's standard deviation (+ eps)":
            (groups - groups.mean(axis=1, keepdims=True)).reshape(-1),
        "the groups are consecutive samples: reshape to (-1, group_size), not (group_size, -1)":
            _group_reference(r.reshape(k, -1).T.reshape(-1), k).reshape(-1, k).T.reshape(-1)
            if r.size > k else _group_reference(r, k),
    }


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
        cases.append((f"{groups} group(s) of {k}, {kind} rewards", (rewards.copy(), k),
                      (_group_reference(rewards, k), _group_mistakes(rewards, k))))

    def compare(got, expected):
        got_array = np.asarray(got, dtype=np.float64) if np.ndim(got) else got
        if np.ndim(got) and np.isnan(got_array).any() and not np.isnan(expected).any():
            return ("NaN in the answer: a group whose rewards are all equal has standard deviation 0; add eps "
                    "to it before dividing")
        return compare_arrays(got, expected, 1e-4)

    return run("group_advantages", function, cases, compare=with_hints(compare), quiet=quiet)


def _ipo_reference(pc, pr, rc, rr, tau, target=None, reduce=np.mean):
    h = (pc - rc) - (pr - rr)
    return float(reduce((h - (1.0 / (2.0 * tau) if target is None else target)) ** 2))


def _ipo_mistakes(pc, pr, rc, rr, tau):
    return {
        "you summed over the pairs; the loss is their mean": _ipo_reference(pc, pr, rc, rr, tau, reduce=np.sum),
        "the target is 1/(2 tau), not 1/tau": _ipo_reference(pc, pr, rc, rr, tau, target=1.0 / tau),
        "chosen and rejected are swapped": _ipo_reference(pr, pc, rr, rc, tau),
        "the reference log-probabilities are missing: h is a margin of log-ratios to the reference":
            _ipo_reference(pc, pr, 0 * rc, 0 * rr, tau),
    }


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
        exact = tuple(map(np.float64, args[:4]))
        cases.append((f"{n} pair(s), tau={tau}", args, (_ipo_reference(*exact, tau), _ipo_mistakes(*exact, tau))))

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

    return run("ipo_loss", function, cases, compare=with_hints(compare), quiet=quiet)


def _log_softmax(logits, axis=-1):
    z = logits - logits.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _entropy_reference(logits, mask):
    log_p = _log_softmax(logits)
    entropy = -(np.exp(log_p) * log_p).sum(axis=-1)  # (batch, time)
    return (entropy * mask).sum(axis=-1)


def _entropy_mistakes(logits, mask):
    log_p = _log_softmax(logits)
    entropy = -(np.exp(log_p) * log_p).sum(axis=-1)  # (batch, time)
    over_time = _log_softmax(logits, axis=1)
    return {
        "in bits: use the natural log (nats), not log2": (entropy * mask).sum(axis=-1) / np.log(2),
        "you used the logits as log p: take log_softmax(logits) first":
            (-(np.exp(log_p) * logits).sum(axis=-1) * mask).sum(axis=-1),
        "wrong sign: the entropy is -sum p log p, which is positive": -(entropy * mask).sum(axis=-1),
        "you averaged over the real positions; sum them": (entropy * mask).sum(axis=-1) / mask.sum(axis=-1),
        "the padding counts: multiply by the mask before summing over time": entropy.sum(axis=-1),
        "softmax over the wrong axis: the distribution is over the vocabulary (the last axis)":
            ((-(np.exp(over_time) * over_time).sum(axis=-1)) * mask).sum(axis=-1),
    }


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
        exact = logits.astype(np.float64)
        cases.append((f"batch {batch}, {time} positions, vocabulary {vocabulary}", (logits.copy(), mask.copy()),
                      (_entropy_reference(exact, mask), _entropy_mistakes(exact, mask))))

    def compare(got, expected):
        return compare_arrays(got, expected, 1e-4 * max(1.0, float(np.abs(expected).max())))

    return run("entropy_bonus", function, cases, compare=with_hints(compare), quiet=quiet)
