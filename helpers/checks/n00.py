"""Checks for the exercises of notebook 00 (introduction)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, run

__all__ = ["add_k_smoothing"]


def _add_k_reference(counts: np.ndarray, k: float) -> np.ndarray:
    smoothed = counts + k
    return smoothed / smoothed.sum(axis=-1, keepdims=True)


def add_k_smoothing(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(counts, k)``: add-k smoothed next-character probabilities from a count
    matrix (rows: previous character, columns: next character); each row must sum to 1."""
    rng = np.random.default_rng(0)
    cases = []
    for k in (1.0, 0.5, 0.01):
        counts = rng.integers(0, 5, size=(6, 6)) * rng.integers(0, 2, size=(6, 6))  # many zeros
        cases.append((f"6x6 counts, k={k}", (counts.copy(), k), _add_k_reference(counts, k)))
    zero_row = np.zeros((3, 4), dtype=np.int64)
    zero_row[0] = [3, 0, 1, 0]
    cases.append(("a row with no counts becomes uniform", (zero_row.copy(), 1.0), _add_k_reference(zero_row, 1.0)))
    return run("add_k_smoothing", function, cases, quiet=quiet)
