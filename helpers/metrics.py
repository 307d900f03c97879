"""Yardsticks: nats and bits per character, perplexity, exact match; and ``record`` to keep a
notebook's headline figures for ``make report`` and the README.

Every text model in the course reports the same number: the average negative log-likelihood of
held-out characters in nats (natural log), so the n-gram, HMM, RNN and GPT can be compared.
"""

import json
import math
import re

import numpy as np

from helpers import paths

LN2 = math.log(2.0)


def nats_per_char(probs: np.ndarray, targets: np.ndarray | None = None) -> float:
    """Average negative log-likelihood in nats per character.

    ``probs`` are the probabilities the model gave to the characters that came, shape (n,); or,
    with ``targets`` (n,) of ids, the predicted distributions (n, vocabulary) to pick them from.
    A zero probability gives ``inf``: the model said the character could not happen.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if targets is not None:
        targets = np.asarray(targets)
        if probs.ndim != 2 or targets.shape != probs.shape[:1]:
            raise ValueError(f"need probs (n, vocab) and targets (n,), got {probs.shape} and {targets.shape}")
        probs = probs[np.arange(len(targets)), targets]
    if probs.size == 0:
        raise ValueError("no characters to score")
    if np.any(probs < 0) or np.any(probs > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(probs)))


def bits_per_char(nats: float) -> float:
    """Nats per character converted to bits per character (divide by ln 2)."""
    return nats / LN2


def perplexity(nats: float) -> float:
    """exp(nats per character): the number of equally likely characters the model is as unsure
    as; a uniform guess over V characters has perplexity V."""
    return math.exp(nats)


def exact_match(predictions, targets) -> float:
    """The share of predictions equal to their targets (strings or sequences)."""
    predictions, targets = list(predictions), list(targets)
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"need equal, non-zero counts, got {len(predictions)} and {len(targets)}")
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def _plain(value):
    """A JSON-friendly float, int, str or bool from NumPy or TensorFlow scalars; a list of them
    from a list, tuple or 1-D array (a curve)."""
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (list, tuple)) or np.ndim(value) == 1:
        return [_plain(v) for v in np.asarray(value).tolist()]
    value = float(np.asarray(value))
    if not math.isfinite(value):
        raise ValueError(f"cannot record a non-finite value ({value})")
    return value


def record(notebook: str, **values) -> None:
    """Save a notebook's headline figures to ``build/metrics/<notebook>.json`` at the root.

    ``notebook`` is the file name without ``.ipynb``, e.g. ``record("00_introduction",
    bigram_nats_per_char=2.45)``. Values recorded before are kept unless named again
    (``make report`` clears the file before it runs the notebook). A value may also be a list of
    numbers, such as a training curve for a later notebook to compare with; the README's tables
    show only single figures.
    """
    if not re.fullmatch(r"\d\d_[a-z0-9_]+", notebook):
        raise ValueError(f"notebook must be a file name without .ipynb, like '00_introduction', not {notebook!r}")
    if not values:
        raise ValueError("nothing to record: pass figures as keyword arguments")
    file = paths.build_dir() / "metrics" / f"{notebook}.json"
    file.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(file.read_text()) if file.is_file() else {}
    saved.update({key: _plain(value) for key, value in values.items()})
    file.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")


def recorded(notebook: str) -> dict | None:
    """The figures ``notebook`` recorded the last time it ran here, or None if it has not run
    (e.g. notebook 04 reads notebook 03's training curve to compare with it)."""
    file = paths.build_dir() / "metrics" / f"{notebook}.json"
    return json.loads(file.read_text()) if file.is_file() else None
