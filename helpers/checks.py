"""Auto-checks for the exercises: ``checks.add_k_smoothing(my_function)``.

Each check runs the student's function on a few cases against a reference, prints one line per
case (what passed; on failure, by how much it is off and where) and returns a ``Result`` that is
true only when every case passed, so a worked solution can be tested with ``assert``. A stub that
raises ``NotImplementedError`` is reported as not done yet, without an error.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Result:
    """The outcome of a check: the number of cases passed, and a line for each failure."""

    name: str
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def __repr__(self) -> str:
        mark = "passed" if self else "not passed"
        return f"<check {self.name}: {self.passed}/{self.total} cases, {mark}>"


def compare_arrays(got, expected, atol: float = 1e-8) -> str | None:
    """None if ``got`` matches ``expected`` (shape and values within ``atol``), else what differs."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got) == np.isfinite(expected)):
        return "has inf or nan where the answer does not (or the other way round)"
    finite = np.isfinite(expected)
    diff = np.zeros(expected.shape)
    diff[finite] = np.abs(got[finite] - expected[finite])  # inf and nan positions were compared above
    if diff.max(initial=0.0) > atol:
        where = np.unravel_index(np.argmax(diff), diff.shape)
        return (f"largest difference {diff.max():.3g} at index {tuple(int(i) for i in where)}: "
                f"got {got[where]:.6g}, expected {expected[where]:.6g}")
    return None


def run(name: str, function: Callable, cases: list[tuple[str, tuple, object]], compare=compare_arrays,
        quiet: bool = False) -> Result:
    """Run ``function(*args)`` for each (description, args, expected) case and report."""
    result = Result(name, total=len(cases))
    for description, args, expected in cases:
        try:
            problem = compare(function(*args), expected)
        except NotImplementedError:
            result.failures.append("not implemented yet: replace `raise NotImplementedError` with your code")
            break
        except Exception as error:  # a student's bug: report it, don't stop the notebook
            problem = f"raised {type(error).__name__}: {error}"
        if problem is None:
            result.passed += 1
        else:
            result.failures.append(f"{description}: {problem}")
    if not quiet:
        status = "✓ all passed" if result else "✗"
        print(f"{name}: {result.passed}/{result.total} cases passed {status}".rstrip())
        for failure in result.failures:
            print(f"  ✗ {failure}")
    return result


# Notebook 00 -----------------------------------------------------------------------------------


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


# Notebook 01 -----------------------------------------------------------------------------------


def _hmm_cases():
    """Models and sequences for the HMM checks: tiny, with impossible transitions, and long
    enough (5,000 steps) that an unscaled forward pass underflows to zero."""
    from helpers import hmm

    cases = []
    casino = (np.array([0.5, 0.5]), np.array([[0.95, 0.05], [0.1, 0.9]]),
              np.array([[1 / 6] * 6, [0.1] * 5 + [0.5]]))
    cases.append(("casino, 20 rolls", casino, hmm.sample(*casino, 20, seed=0)[1]))
    start, trans, emit = hmm.random_model(4, 5, seed=3)
    trans = trans * np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 0]])
    sparse = (start, trans / trans.sum(1, keepdims=True), emit)
    cases.append(("4 states with impossible transitions, 300 steps", sparse, hmm.sample(*sparse, 300, seed=1)[1]))
    cases.append(("casino, 5,000 rolls (underflows without scaling or logs)", casino,
                  hmm.sample(*casino, 5000, seed=2)[1]))
    return cases


def _close(rel: float):
    def compare(got, expected):
        got = float(np.asarray(got))
        if not np.isfinite(got) or abs(got - expected) > rel * abs(expected):
            return f"got {got:.10g}, expected {expected:.10g}"
        return None

    return compare


def forward(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(start, trans, emit, obs) -> log p(obs)`` against ``helpers.hmm``."""
    from helpers import hmm

    cases = [(name, (*model, obs), hmm.log_likelihood(*model, obs)) for name, model, obs in _hmm_cases()]
    return run("forward", function, cases, compare=_close(1e-9), quiet=quiet)


def viterbi(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(start, trans, emit, obs) -> (path, log_prob)``: the log probability must
    be the best one, and the path must have that probability (ties may pick another path)."""
    from helpers import hmm

    def compare(got, expected):
        (path, log_prob), (model, obs, best) = got, expected
        path = np.asarray(path)
        if path.shape != obs.shape:
            return f"path has shape {path.shape}, expected {obs.shape}"
        start, trans, emit = model
        with np.errstate(divide="ignore"):
            joint = (np.log(start[path[0]]) + np.log(trans[path[:-1], path[1:]]).sum()
                     + np.log(emit[path, obs]).sum())
        if not np.isclose(joint, best, rtol=1e-9, atol=0):
            return f"your path has log probability {joint:.10g}, the best path {best:.10g}"
        if not np.isclose(log_prob, best, rtol=1e-9, atol=0):
            return f"returned log probability {float(log_prob):.10g}, expected {best:.10g}"
        return None

    cases = [(name, (*model, obs), (model, obs, hmm.viterbi(*model, obs)[1])) for name, model, obs in _hmm_cases()]
    return run("viterbi", function, cases, compare=compare, quiet=quiet)


def _compare_parts(parts: tuple[str, ...], atol: float):
    """A compare function for answers that are several arrays, named ``parts`` in order."""

    def compare(got, expected):
        if not isinstance(got, tuple | list) or len(got) != len(parts):
            return f"return {len(parts)} arrays: ({', '.join(parts)})"
        for part, g, e in zip(parts, got, expected):
            problem = compare_arrays(g, e, atol)
            if problem:
                return f"{part}: {problem}"
        return None

    return compare


# Notebook 02: recurrent cells, checked against Keras's own layers ----------------------------


def _cell_cases(gates: int, seed: int = 0):
    """Random inputs, states and weights (with non-zero biases) for a cell with ``gates`` blocks."""
    rng = np.random.default_rng(seed)
    cases = []
    for batch, features, units in ((1, 3, 2), (4, 5, 8), (16, 32, 64)):
        x = rng.normal(size=(batch, features)).astype(np.float32)
        h = rng.normal(size=(batch, units)).astype(np.float32)
        c = rng.normal(size=(batch, units)).astype(np.float32)
        kernel = rng.normal(0, 0.5, (features, gates * units)).astype(np.float32)
        recurrent = rng.normal(0, 0.5, (units, gates * units)).astype(np.float32)
        cases.append((f"batch {batch}, {features} features, {units} units", x, h, c, kernel, recurrent))
    return cases


def gru_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, h, kernel, recurrent_kernel, bias) -> h_new`` against one step of
    ``keras.layers.GRU`` (gate order z, r, candidate; ``reset_after=True``; bias (2, 3 units))."""
    import keras

    cases = []
    for i, (name, x, h, _, kernel, recurrent) in enumerate(_cell_cases(3)):
        bias = np.random.default_rng(i).normal(0, 0.5, (2, kernel.shape[1])).astype(np.float32)
        layer = keras.layers.GRU(h.shape[1])
        layer.build((None, 1, x.shape[1]))
        layer.set_weights([kernel, recurrent, bias])
        expected = np.asarray(layer(x[:, None], initial_state=h))
        cases.append((name, (x, h, kernel, recurrent, bias), expected))
    return run("gru_step", function, cases, compare=lambda got, exp: compare_arrays(got, exp, 1e-5), quiet=quiet)


def lstm_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, h, c, kernel, recurrent_kernel, bias) -> (h_new, c_new)`` against one
    step of ``keras.layers.LSTM`` (gate order input, forget, candidate, output; bias (4 units,))."""
    import keras

    compare = _compare_parts(("h_new", "c_new"), atol=1e-5)
    cases = []
    for i, (name, x, h, c, kernel, recurrent) in enumerate(_cell_cases(4)):
        bias = np.random.default_rng(i).normal(0, 0.5, kernel.shape[1]).astype(np.float32)
        layer = keras.layers.LSTM(h.shape[1], return_state=True)
        layer.build((None, 1, x.shape[1]))
        layer.set_weights([kernel, recurrent, bias])
        _, h_new, c_new = layer(x[:, None], initial_state=[h, c])
        cases.append((name, (x, h, c, kernel, recurrent, bias), (np.asarray(h_new), np.asarray(c_new))))
    return run("lstm_step", function, cases, compare=compare, quiet=quiet)


# Notebook 03: additive attention and one step of beam search ---------------------------------


def _additive_attention_reference(query, keys, mask, w_query, w_keys, v):
    scores = np.tanh(keys @ w_keys + (query @ w_query)[:, None, :]) @ v  # (batch, time)
    scores = np.where(mask, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("bt,btd->bd", weights, keys), weights


def additive_attention(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(query, keys, mask, w_query, w_keys, v) -> (context, weights)``:
    query (batch, d_query), keys (batch, time, d_keys), mask (batch, time) True where a key may
    be attended to, w_query (d_query, a), w_keys (d_keys, a), v (a,); weights (batch, time) are a
    softmax of v · tanh(keys w_keys + query w_query) over the allowed keys (0 elsewhere), and
    context (batch, d_keys) is the weighted sum of the keys."""
    rng = np.random.default_rng(0)
    cases = []
    for batch, time, d_query, d_keys, a in ((1, 1, 2, 3, 4), (3, 7, 5, 6, 8), (8, 30, 32, 64, 16)):
        lengths = rng.integers(1, time + 1, size=batch)
        args = (rng.normal(size=(batch, d_query)), rng.normal(size=(batch, time, d_keys)),
                np.arange(time)[None, :] < lengths[:, None], rng.normal(size=(d_query, a)),
                rng.normal(size=(d_keys, a)), rng.normal(size=a))
        name = f"batch {batch}, {time} keys, some masked" if time > 1 else "one key"
        cases.append((name, args, _additive_attention_reference(*args)))

    compare = _compare_parts(("context", "weights"), atol=1e-6)
    return run("additive_attention", function, cases, compare=compare, quiet=quiet)


def beam_step(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(scores, log_probs, beam_width) -> (new_scores, parents, tokens)``:
    scores (batch, k) of the kept hypotheses, log_probs (batch, k, vocabulary) of their next
    token; return, for each batch row, the ``beam_width`` best extensions (best first) as their
    total scores, the hypothesis each extends (0 … k-1) and the token added, each (batch, width)."""
    rng = np.random.default_rng(1)
    cases = []
    for batch, k, vocabulary, width in ((1, 1, 5, 1), (2, 3, 7, 3), (4, 4, 30, 4), (3, 2, 6, 5)):
        scores = -rng.exponential(size=(batch, k)) * 3
        log_probs = np.log(rng.dirichlet(np.ones(vocabulary), size=(batch, k)))
        flat = (scores[:, :, None] + log_probs).reshape(batch, k * vocabulary)
        best = np.argsort(-flat, axis=1)[:, :width]
        expected = (np.take_along_axis(flat, best, 1), best // vocabulary, best % vocabulary)
        cases.append((f"batch {batch}, {k} kept, {vocabulary} tokens, width {width}", (scores, log_probs, width), expected))

    compare = _compare_parts(("new_scores", "parents", "tokens"), atol=1e-9)
    return run("beam_step", function, cases, compare=compare, quiet=quiet)


# Notebook 04: the causal mask, and splitting and merging heads ---------------------------------


def causal_mask(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(length) -> (length, length)`` boolean mask, True where query i may attend
    to key j (j <= i)."""
    cases = [(f"length {n}", (n,), np.tril(np.ones((n, n), bool))) for n in (1, 2, 5, 16)]

    def compare(got, expected):
        got = np.asarray(got)
        if got.dtype != bool:
            return f"dtype {got.dtype}: return booleans (True = may attend)"
        return compare_arrays(got.astype(int), expected.astype(int), 0)

    return run("causal_mask", function, cases, compare=compare, quiet=quiet)


def split_heads(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x, num_heads) -> (batch, heads, time, depth)`` for x (batch, time,
    heads * depth): the last axis is cut into ``num_heads`` consecutive blocks, one per head."""
    rng = np.random.default_rng(0)
    cases = []
    for batch, time, heads, depth in ((1, 1, 1, 4), (2, 5, 4, 3), (3, 7, 8, 16)):
        x = rng.normal(size=(batch, time, heads * depth))
        cases.append((f"{heads} heads of {depth}", (x, heads),
                      x.reshape(batch, time, heads, depth).transpose(0, 2, 1, 3)))
    return run("split_heads", function, cases, quiet=quiet)


def merge_heads(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(x) -> (batch, time, heads * depth)`` for x (batch, heads, time, depth): the
    inverse of ``split_heads``."""
    rng = np.random.default_rng(1)
    cases = []
    for batch, heads, time, depth in ((1, 1, 1, 4), (2, 4, 5, 3), (3, 8, 7, 16)):
        x = rng.normal(size=(batch, heads, time, depth))
        cases.append((f"{heads} heads of {depth}", (x,), x.transpose(0, 2, 1, 3).reshape(batch, time, heads * depth)))
    return run("merge_heads", function, cases, quiet=quiet)


# Notebook 05: top-k filtering and the key-value cache update ----------------------------------


def top_k(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(logits, k) -> logits`` (n, vocabulary): the k largest of each row kept,
    every other entry -inf (against ``helpers.sampling.top_k_filter``)."""
    from helpers import sampling

    rng = np.random.default_rng(0)
    cases = [(f"{n} rows of {v}, k={k}", (logits, k), sampling.top_k_filter(logits, k))
             for n, v, k in ((1, 5, 1), (3, 10, 3), (4, 65, 10), (2, 6, 6))
             for logits in [rng.normal(size=(n, v)) * 3]]
    return run("top_k", function, cases, quiet=quiet)


def cache_update(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(cache, new, position) -> cache``: cache (batch, heads, length, depth) with
    the keys (or values) of one new position, new (batch, heads, 1, depth), written at index
    ``position`` along the length axis; every other entry unchanged."""
    rng = np.random.default_rng(2)
    cases = []
    for b, h, length, d, position in ((1, 1, 4, 2, 0), (2, 4, 16, 8, 7), (1, 2, 8, 4, 7)):
        cache = rng.normal(size=(b, h, length, d)).astype(np.float32)
        new = rng.normal(size=(b, h, 1, d)).astype(np.float32)
        expected = cache.copy()
        expected[:, :, position] = new[:, :, 0]
        cases.append((f"length {length}, write at {position}", (cache, new, position), expected))
    return run("cache_update", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-6), quiet=quiet)


# Notebook 07 -----------------------------------------------------------------------------------


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


# Notebook 08 -----------------------------------------------------------------------------------


def _quadratic_critic(shape, seed):
    """A critic f(x) = sum(w x + a x^2 / 2) whose input gradient w + a x is known exactly."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    w, a = rng.normal(size=shape[1:]), rng.uniform(0.5, 2, size=shape[1:])
    axes = list(range(1, len(shape)))

    def critic(x):
        x = tf.cast(x, tf.float64)
        return tf.reduce_sum(w * x + a * x**2 / 2, axis=axes)[:, None]  # (n, 1), like a Dense(1) critic

    return critic, lambda x: w + a * x


def gradient_penalty(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(critic, real, fake, eps) -> penalty`` (a scalar): the WGAN-GP penalty
    mean((|grad_x critic(x)| - 1)^2) at x = eps * real + (1 - eps) * fake, with eps (n, 1, ...)
    and the norm over every axis but the first (without the weight lambda)."""
    rng = np.random.default_rng(5)
    cases = []
    for shape in ((4, 2), (8, 8, 8, 1)):
        critic, gradient = _quadratic_critic(shape, seed=len(shape))
        real, fake = rng.normal(size=shape), rng.normal(size=shape)
        eps = rng.uniform(size=(shape[0],) + (1,) * (len(shape) - 1))
        grad = gradient(eps * real + (1 - eps) * fake)
        norm = np.sqrt(np.sum(grad**2, axis=tuple(range(1, len(shape)))))
        cases.append((f"inputs {shape}", (critic, real, fake, eps), np.mean((norm - 1) ** 2)))
    return run("gradient_penalty", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-4 * (1 + abs(e))),
               quiet=quiet)


def generator_loss(function: Callable, quiet: bool = False) -> Result:
    """Check ``function(fake_logits) -> loss`` (a scalar): the non-saturating generator loss
    -mean(log sigmoid(logits)) of the discriminator's logits on generated samples, computed
    stably: float32 logits of -200 must give a finite loss near 200 (use softplus)."""
    rng = np.random.default_rng(6)
    cases = [(description, (logits,), np.mean(np.logaddexp(0, -logits.astype(np.float64))))
             for description, logits in (("64 logits around 0", rng.normal(size=(64, 1))),
                                         ("a confident discriminator, logits near -8", rng.normal(-8, 1, size=(32, 1))),
                                         ("extreme float32 logits -200 and 200", np.array([[-200.0], [200.0]], np.float32)))]
    return run("generator_loss", function, cases, compare=lambda g, e: compare_arrays(g, e, 1e-4 * (1 + abs(e))),
               quiet=quiet)
