"""Checks for the exercises of notebook 00 (introduction)."""

from collections.abc import Callable

import numpy as np

from ._core import Result, compare_arrays, run

__all__ = ["length_distribution", "softmax_bigram_loss"]


def _random_table(n_symbols: int, seed: int) -> np.ndarray:
    """A bigram table (n_symbols, n_symbols), rows summing to 1, id 0 the boundary token."""
    rng = np.random.default_rng(seed)
    table = rng.dirichlet(np.full(n_symbols, 0.7), size=n_symbols)
    table[1:, 0] += 0.15  # every letter can end a name, so lengths are not too long
    return table / table.sum(axis=1, keepdims=True)


def _lengths_reference(table: np.ndarray, max_length: int) -> np.ndarray:
    table = np.asarray(table, dtype=np.float64)
    probs = np.empty(max_length + 1)
    probs[0] = table[0, 0]  # the end token straight after the start: an empty name
    state = table[0, 1:]  # (letters,): p(first letter = a, the name goes on)
    for n in range(1, max_length + 1):
        probs[n] = state @ table[1:, 0]  # n letters drawn, then the end token
        state = state @ table[1:, 1:]
    return probs


def length_distribution(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(P, max_length)``: the probability that a name sampled from the bigram table
    P (rows: previous id, columns: next id; id 0 the boundary token) has exactly n letters, for
    n = 0 .. max_length, as an array (max_length + 1,)."""
    chain = np.zeros((4, 4))
    chain[0, 1] = chain[1, 2] = chain[2, 0] = 1.0  # boundary -> a -> b -> end: always 'ab'
    chain[3, 0] = 1.0
    cases = []
    for description, table, max_length in (
        ("the chain '.' -> a -> b -> '.', which always writes 'ab'", chain, 6),
        ("a random 4x4 table, max_length=6", _random_table(4, 1), 6),
        ("a random 27x27 table, max_length=20", _random_table(27, 2), 20),
    ):
        through_boundary = np.array([np.linalg.matrix_power(table, n + 1)[0, 0] for n in range(max_length + 1)])
        cases.append((description, (table.copy(), max_length), (_lengths_reference(table, max_length), through_boundary)))

    def compare(got, expected):
        expected, through_boundary = expected  # the answer, and what (P^(n+1))[0, 0] gives
        problem = compare_arrays(got, expected, atol=1e-6)
        if problem is None:
            return None
        got = np.asarray(got, dtype=np.float64)
        if got.shape == expected.shape:
            if got[0] == 0 != expected[0] and np.allclose(got[1:], expected[1:], atol=1e-6):
                problem += " (entry 0 is P[0, 0]: the end token straight after the start, an empty name)"
            elif np.allclose(got[:-1], expected[1:], atol=1e-6):
                problem += " (off by one: your entry n holds names of n+1 letters; entry 0 is the empty name)"
            elif np.allclose(got[1:], expected[:-1], atol=1e-6):
                problem += " (off by one: your entry n holds names of n-1 letters; the end token is not a letter)"
            elif np.allclose(got, through_boundary, atol=1e-6):
                problem += (f" (your probabilities add up to {got.sum():.4g}, more than the answer's "
                            f"{expected.sum():.4g}: a name ends at its first end token; a path must not pass "
                            "through the boundary id 0 in the middle)")
            elif abs(got.sum() - 1) < 1e-6 < 1 - expected.sum():
                problem += (f" (your probabilities add up to 1, the answer's to {expected.sum():.4g}: names longer "
                            f"than max_length={len(expected) - 1} are left out of the array, so its entries add up to "
                            "less than 1; do not normalise them)")
            elif got.sum() > expected.sum() + 1e-6:
                problem += f" (your probabilities add up to {got.sum():.4g}, more than the answer's {expected.sum():.4g})"
        return problem

    return run("length_distribution", function, cases, compare=compare, quiet=quiet)


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _loss_reference(logits: np.ndarray, counts: np.ndarray) -> tuple[float, np.ndarray]:
    logits, counts = np.asarray(logits, dtype=np.float64), np.asarray(counts, dtype=np.float64)
    log_p = _log_softmax(logits)
    total = counts.sum()
    loss = -(counts * log_p).sum() / total
    grad = (counts.sum(axis=1, keepdims=True) * np.exp(log_p) - counts) / total
    return loss, grad


def softmax_bigram_loss(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(W, counts) -> (loss, grad)``: the bigram as a softmax layer with logits W
    (V, V), p(next | previous) = softmax(W[previous]); loss is the mean negative log-likelihood
    per character of the pairs counted in ``counts`` (V, V), grad its gradient (V, V) with
    respect to W. Float32 answers (NumPy or TensorFlow) pass."""
    rng = np.random.default_rng(0)
    cases = []
    counts = rng.integers(0, 20, size=(5, 5)) * rng.integers(0, 2, size=(5, 5))
    counts[:, 0] += 1
    for description, logits in (
        ("5x5 counts, W = 0 (every row uniform)", np.zeros((5, 5))),
        ("5x5 counts, random W", rng.normal(size=(5, 5))),
        ("5x5 counts, large logits (|W| up to 1000: subtract each row's max before exp)",
         rng.normal(size=(5, 5)) * 300 + np.array([1000.0, 0, -1000, 0, 500])[:, None]),
    ):
        cases.append((description, (logits.copy(), counts.copy()), (*_loss_reference(logits, counts), logits, counts)))
    big_counts = rng.integers(0, 50, size=(27, 27))
    big_logits = rng.normal(size=(27, 27)) * 2
    cases.append(("27x27 counts, random W", (big_logits.copy(), big_counts.copy()),
                  (*_loss_reference(big_logits, big_counts), big_logits, big_counts)))

    def compare(got, expected):
        if not isinstance(got, tuple | list) or len(got) != 2:
            return "return two things: (loss, grad)"
        loss, grad = (np.asarray(g, dtype=np.float64) for g in got)
        loss_expected, grad_expected, logits, counts = expected
        total = counts.sum()
        scale = max(1.0, abs(loss_expected))
        if loss.shape != ():
            return f"loss has shape {loss.shape}: it should be one number, the mean over all characters"
        if not np.isfinite(loss) or abs(loss - loss_expected) > 1e-5 * scale:
            problem = f"loss: got {float(loss):.6g}, expected {loss_expected:.6g}"
            if np.isfinite(loss) and abs(loss - loss_expected) > 1e-5 * scale:
                ratio = loss / loss_expected if loss_expected else np.inf
                if abs(ratio - -1) < 1e-4:
                    problem += " (the sign: a loss is the NEGATIVE log-likelihood)"
                elif ratio > 1.5 and not np.isclose(loss_expected, 0):
                    problem += " (a sum? divide by the number of characters, counts.sum())"
                elif np.isclose(loss, _loss_reference(logits.T, counts.T)[0], rtol=1e-5):
                    problem += (" (softmax over columns? each row W[previous] is one distribution over the next "
                                "character: normalise along axis=1)")
            elif not np.isfinite(loss):
                problem += " (inf or nan: subtract each row's largest logit before np.exp)"
            return problem
        problem = compare_arrays(grad, grad_expected, atol=1e-5 * max(1.0, np.abs(grad_expected).max()))
        if problem:
            problem = "grad: " + problem
            if grad.shape == grad_expected.shape and np.all(np.isfinite(grad)):
                tol = 1e-5 * max(1.0, np.abs(grad_expected).max())
                p = np.exp(_log_softmax(logits))  # (V, V): the softmax of each row
                p_columns = np.exp(_log_softmax(logits.T)).T  # each column normalised instead
                rows = counts.sum(axis=1, keepdims=True)
                if np.allclose(-grad, grad_expected, atol=tol):
                    problem += " (the sign: the gradient of the loss, not of the log-likelihood)"
                elif np.allclose(grad, grad_expected * total, atol=tol * total):
                    problem += (f" (your gradient is {total:g} times too big, counts.sum(): the gradient of a mean "
                                "is divided by the number of characters too)")
                elif np.allclose(grad, (rows * p_columns - counts) / total, atol=tol):
                    problem += (" (softmax over columns? each row W[previous] is one distribution: "
                                "normalise along axis=1)")
                elif any(np.allclose(grad, wrong, atol=tol) for wrong in (p - counts / total, (p - counts) / total)):
                    problem += (" (not weighted by row counts: row i's softmax appears once for every pair that "
                                "starts with i, so it is multiplied by counts[i].sum())")
        return problem

    return run("softmax_bigram_loss", function, cases, compare=compare, quiet=quiet)
