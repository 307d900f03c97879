"""Hidden Markov models with discrete observations, in NumPy (taught in notebook 01).

A model is three arrays: ``start`` (K,) the first state's distribution, ``trans`` (K, K) with
``trans[i, j] = p(next state j | state i)``, and ``emit`` (K, M) with ``emit[i, m] = p(symbol m |
state i)``. Observations are integer arrays of symbols in [0, M).

The forward and backward passes are scaled (each step's vector is normalised and the scales kept),
so they never underflow on long sequences; Viterbi works in log space. ``baum_welch`` runs the
forward-backward pass over many sequences at once: sequences of equal length form one batch, and
each time step is one (sequences, K) x (K, K) product.
"""

import numpy as np

__all__ = ["log_likelihood", "posteriors", "viterbi", "baum_welch", "em_step", "expected_counts", "sample",
           "random_model"]


# Checking the arguments -------------------------------------------------------------------------


def _distribution(name: str, p, ndim: int) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if p.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array of probabilities, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} has negative or non-finite entries")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1 along its last axis; sums are {np.round(sums, 6)}")
    return p


def _model(start, trans, emit):
    start = _distribution("start", start, 1)
    trans = _distribution("trans", trans, 2)
    emit = _distribution("emit", emit, 2)
    k = len(start)
    if trans.shape != (k, k) or emit.shape[0] != k:
        raise ValueError(f"shapes do not agree: start {start.shape}, trans {trans.shape} (need ({k}, {k})),"
                         f" emit {emit.shape} (need ({k}, symbols))")
    return start, trans, emit


def _observations(obs, n_symbols: int, name: str = "obs") -> np.ndarray:
    obs = np.asarray(obs)
    if obs.ndim != 1 or len(obs) == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of symbols, got shape {obs.shape}")
    if not np.issubdtype(obs.dtype, np.integer):
        raise ValueError(f"{name} must hold integer symbols, got dtype {obs.dtype}")
    if obs.min() < 0 or obs.max() >= n_symbols:
        raise ValueError(f"{name} has symbols outside [0, {n_symbols}): min {obs.min()}, max {obs.max()}")
    return obs


def _whole(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


# Forward, backward, posteriors, Viterbi ------------------------------------------------------------


def _forward_backward(start, trans, emit, obs, backward=True):
    """Scaled forward (and backward) passes over a batch of sequences of one length.

    ``obs`` (N, T) symbols. Returns alpha (N, T, K), each step normalised to sum to 1, the scales
    c (N, T) with log p(obs) = sum of log c, and beta (N, T, K) scaled by the same c, such that
    p(state at t | obs) = alpha * beta. beta is None when not asked for, or when some sequence
    is impossible (a scale is 0).
    """
    e = emit.T[obs]  # (N, T, K): p(symbol at t | state)
    alpha = np.empty_like(e)
    c = np.empty(obs.shape)
    a = start * e[:, 0]  # (N, K)
    for t in range(obs.shape[1]):
        if t > 0:
            a = (a @ trans) * e[:, t]
        c[:, t] = a.sum(axis=1)
        if np.any(c[:, t] == 0):
            return alpha, c, None  # some sequence is impossible under this model
        a = a / c[:, t, None]
        alpha[:, t] = a
    if not backward:
        return alpha, c, None
    beta = np.empty_like(e)
    b = np.ones_like(a)
    beta[:, -1] = b
    for t in range(obs.shape[1] - 2, -1, -1):
        b = ((e[:, t + 1] * b) @ trans.T) / c[:, t + 1, None]
        beta[:, t] = b
    return alpha, c, beta


def log_likelihood(start, trans, emit, obs) -> float:
    """log p(obs) under the model (natural log); -inf if the sequence is impossible."""
    start, trans, emit = _model(start, trans, emit)
    obs = _observations(obs, emit.shape[1])
    _, c, _ = _forward_backward(start, trans, emit, obs[None], backward=False)
    if np.any(c == 0):
        return -np.inf
    return float(np.log(c).sum())


def posteriors(start, trans, emit, obs) -> np.ndarray:
    """p(state at t = k | obs), shape (T, K): the forward-backward posteriors."""
    start, trans, emit = _model(start, trans, emit)
    obs = _observations(obs, emit.shape[1])
    alpha, c, beta = _forward_backward(start, trans, emit, obs[None])
    if beta is None:
        raise ValueError("obs has probability zero under this model, so it has no posteriors")
    return (alpha * beta)[0]


def viterbi(start, trans, emit, obs) -> tuple[np.ndarray, float]:
    """The most probable state path for obs and its log joint probability log p(path, obs)."""
    start, trans, emit = _model(start, trans, emit)
    obs = _observations(obs, emit.shape[1])
    with np.errstate(divide="ignore"):
        log_start, log_trans, log_emit = np.log(start), np.log(trans), np.log(emit)
    t_max, k = len(obs), len(start)
    best = log_start + log_emit[:, obs[0]]  # (K,) best log probability of a path ending in each state
    back = np.empty((t_max, k), dtype=np.int64)  # back[t, j]: best previous state for state j at t
    for t in range(1, t_max):
        scores = best[:, None] + log_trans  # (K, K): from state i to state j
        back[t] = scores.argmax(axis=0)
        best = scores[back[t], np.arange(k)] + log_emit[:, obs[t]]
    path = np.empty(t_max, dtype=np.int64)
    path[-1] = best.argmax()
    for t in range(t_max - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path, float(best.max())


# Learning: Baum-Welch (EM) over many sequences at once ------------------------------------------


def _by_length(sequences) -> list[np.ndarray]:
    """Sequences grouped by length, each group one (N, T) array: no padding is needed."""
    lengths = np.array([len(seq) for seq in sequences])
    return [np.stack([sequences[i] for i in np.flatnonzero(lengths == n)]) for n in np.unique(lengths)]


def random_model(n_states: int, n_symbols: int, seed: int, concentration: float = 1.0):
    """A random model: each row drawn from a Dirichlet distribution (a common EM starting point)."""
    n_states, n_symbols = _whole("n_states", n_states), _whole("n_symbols", n_symbols)
    if isinstance(concentration, bool) or not isinstance(concentration, int | float | np.number) \
            or not np.isfinite(concentration) or concentration <= 0:
        raise ValueError(f"concentration must be a number > 0 (1 draws rows uniformly), got {concentration!r}")
    rng = np.random.default_rng(seed)
    start = rng.dirichlet(np.full(n_states, concentration))
    trans = rng.dirichlet(np.full(n_states, concentration), size=n_states)
    emit = rng.dirichlet(np.full(n_symbols, concentration), size=n_states)
    return start, trans, emit


def expected_counts(start, trans, emit, batch):
    """The E-step on sequences of one length (N, T): expected numbers of starts in each state
    (K,), of transitions (K, K) and of emissions (K, M), and the total log-likelihood."""
    alpha, c, beta = _forward_backward(start, trans, emit, batch)
    if beta is None:
        raise ValueError("a sequence has probability zero under the current parameters")
    k = len(start)
    gamma = alpha * beta  # (N, T, K): p(state at t | sequence)
    # transitions t -> t+1: alpha[t, i] trans[i, j] emit[j, obs[t+1]] beta[t+1, j] / c[t+1]
    after = emit.T[batch[:, 1:]] * beta[:, 1:] / c[:, 1:, None]  # (N, T-1, K)
    xi = trans * (alpha[:, :-1].reshape(-1, k).T @ after.reshape(-1, k))  # (K, K)
    symbols, weights = batch.ravel(), gamma.reshape(-1, k)
    emissions = np.stack([np.bincount(symbols, weights[:, i], minlength=emit.shape[1]) for i in range(k)])
    return gamma[:, 0].sum(axis=0), xi, emissions, float(np.log(c).sum())


def _normalise(counts, old):
    """Rows of expected counts as probabilities; a row with no counts (a state never visited)
    keeps its old values."""
    sums = counts.sum(axis=-1, keepdims=True)
    return np.where(sums > 0, counts / np.where(sums > 0, sums, 1.0), old)


def em_step(start, trans, emit, batches):
    """One EM iteration over groups of equal-length sequences: the new (start, trans, emit) and
    the total log-likelihood of the sequences under the old parameters."""
    totals = [expected_counts(start, trans, emit, batch) for batch in batches]
    starts, transitions, emissions, ll = (sum(parts) for parts in zip(*totals))
    return _normalise(starts, start), _normalise(transitions, trans), _normalise(emissions, emit), ll


def baum_welch(sequences, n_states: int, n_symbols: int, n_iter: int, seed: int = 0, init=None):
    """Fit an HMM to ``sequences`` (a list of 1-D int arrays) by EM.

    Starts from ``init`` = (start, trans, emit), or from ``random_model(n_states, n_symbols,
    seed)``. Returns (start, trans, emit, history), where history[i] is the total log-likelihood
    of the sequences under the parameters at the start of iteration i; EM never lets it decrease.
    """
    if isinstance(sequences, np.ndarray):
        if sequences.ndim == 1 and sequences.dtype != object:
            raise ValueError(f"sequences must be a list of 1-D arrays, got one 1-D array of shape {sequences.shape}; "
                             "for a single sequence write [obs]")
        if sequences.ndim == 2:
            sequences = list(sequences)  # (N, T): N sequences of one length
    if isinstance(sequences, str) or not hasattr(sequences, "__len__"):
        raise TypeError(f"sequences must be a list of 1-D arrays of symbols, got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError("sequences is empty: give at least one sequence")
    n_states, n_symbols = _whole("n_states", n_states), _whole("n_symbols", n_symbols)
    n_iter = _whole("n_iter", n_iter, 0)
    sequences = [_observations(s, n_symbols, name=f"sequences[{i}]") for i, s in enumerate(sequences)]
    start, trans, emit = random_model(n_states, n_symbols, seed) if init is None else _model(*init)
    if emit.shape != (n_states, n_symbols):
        raise ValueError(f"init has {emit.shape[0]} states and {emit.shape[1]} symbols, "
                         f"expected {n_states} and {n_symbols}")
    batches = _by_length(sequences)
    history = []
    for _ in range(n_iter):
        start, trans, emit, ll = em_step(start, trans, emit, batches)
        history.append(ll)
    return start, trans, emit, history


def sample(start, trans, emit, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw a hidden path and its observations, each (length,), following the generative story."""
    start, trans, emit = _model(start, trans, emit)
    length = _whole("length", length)
    rng = np.random.default_rng(seed)
    states = np.empty(length, dtype=np.int64)
    states[0] = rng.choice(len(start), p=start)
    for t in range(1, length):
        states[t] = rng.choice(len(start), p=trans[states[t - 1]])
    # each observation depends only on its state: draw them all at once by inverse CDF
    cdf = np.cumsum(emit, axis=1)[states]  # (length, M)
    obs = (rng.random((length, 1)) > cdf).sum(axis=1)
    obs = np.minimum(obs, emit.shape[1] - 1)
    return states, obs
