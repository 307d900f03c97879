"""Turning a model's next-token distribution into text: temperature sampling, greedy decoding and
beam search.

Temperature sampling is taught in notebook 02 (``02_rnn_language_model.ipynb``), greedy decoding
and beam search in notebook 03 (``03_seq2seq_attention.ipynb``), top-k and nucleus (top-p)
sampling in notebook 05 (``05_gpt.ipynb``).

Greedy and beam search work with any model through a ``step`` function::

    step(tokens, state) -> (log_probs, new_state)

``tokens`` (n,) int32 are the latest token of each of n hypotheses, ``state`` is whatever the
model carries from step to step (a tensor, or a tuple / dict of tensors, each with n rows: the
decoder state, and encoder outputs to attend to), and ``log_probs`` (n, vocabulary) are the
log-probabilities of the next token. Beam search copies and reorders the rows of every tensor
in ``state`` as hypotheses are kept or dropped, so the model needs no beam logic of its own.
"""

import numbers

import numpy as np

from helpers.train import quiet_first_import

with quiet_first_import():
    import tensorflow as tf


DIVERGED = ("the model has probably diverged (a learning rate too high, or a NaN in the loss): check the "
            "training curve, lower the learning rate or clip gradients, and train again")


def _check_logits(logits, name: str = "logits") -> np.ndarray:
    """``logits`` (..., vocabulary) as float64, refusing what no distribution can come from: NaN,
    +inf, or a row in which every entry is -inf (-inf elsewhere is a token ruled out, and fine)."""
    try:
        values = np.asarray(logits, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers (..., vocabulary), got {type(logits).__name__}") from error
    if values.ndim < 1 or values.shape[-1] < 1:
        raise ValueError(f"{name} must have shape (..., vocabulary) with at least one token, got {values.shape}")
    if np.isnan(values).any() or np.isposinf(values).any():
        bad = np.argwhere(np.isnan(values) | np.isposinf(values))[0]
        kind = "NaN" if np.isnan(values[tuple(bad)]) else "+inf"
        raise ValueError(f"{name} contain {kind} (first at index {tuple(int(i) for i in bad)}): {DIVERGED}")
    dead = np.all(np.isneginf(values), axis=-1)
    if dead.any():
        row = tuple(int(i) for i in np.argwhere(dead)[0])
        raise ValueError(f"{name} are -inf for every token in row {row}, so no token can be drawn: {DIVERGED} "
                         "(or a filter or mask ruled out every token)")
    return values


MIN_TEMPERATURE = 1e-6  # below this, logits / temperature overflows for ordinary logits: use greedy decoding


def _check_temperature(temperature: float) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real | np.ndarray) \
            or np.ndim(temperature) != 0:
        raise TypeError(f"temperature must be a number > 0, got {temperature!r}")
    temperature = float(temperature)
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature} (use greedy decoding for the "
                         "limit temperature -> 0)")
    if not np.isfinite(temperature):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature}")
    if temperature < MIN_TEMPERATURE:
        raise ValueError(f"temperature must be at least {MIN_TEMPERATURE:g}, got {temperature:g}: dividing the "
                         "logits by it may overflow; for the limit temperature -> 0 use greedy decoding (argmax, or "
                         "greedy_search)")
    return temperature


def apply_temperature(logits, temperature: float) -> np.ndarray:
    """Logits divided by the temperature: below 1 sharpens the distribution, above 1 flattens it.

    Refused with a ValueError: logits with NaN or +inf, or a row that is -inf everywhere (as in
    ``sample``); a temperature that is not > 0, or below ``MIN_TEMPERATURE`` (1e-6, use greedy
    decoding instead); and one so small for these logits that the division overflows."""
    temperature = _check_temperature(temperature)
    logits = _check_logits(logits)
    with np.errstate(over="ignore"):
        scaled = logits / temperature
    overflow = np.isinf(scaled) & np.isfinite(logits)
    if overflow.any():
        raise ValueError(f"temperature {temperature:g} is too small for these logits (largest magnitude "
                         f"{np.abs(logits[np.isfinite(logits)]).max():.3g}): logits / temperature overflows to inf; "
                         "use a larger temperature, or greedy decoding (argmax) for the limit temperature -> 0")
    return scaled


def top_k_filter(logits, k: int) -> np.ndarray:
    """Keep the ``k`` largest logits of each row (..., vocabulary), set the rest to -inf (ties at
    the k-th value are all kept). Taught in notebook 05. Logits with NaN or +inf, or a row that is
    -inf everywhere, are refused with a ValueError (as in ``sample``)."""
    if isinstance(k, bool) or not isinstance(k, numbers.Real) or not np.isfinite(k) or int(k) != k or k < 1:
        raise ValueError(f"top_k must be a whole number >= 1, got {k!r}")
    logits = _check_logits(logits)
    k = min(int(k), logits.shape[-1])
    kth = np.sort(logits, axis=-1)[..., -k, None]  # the k-th largest of each row
    return np.where(logits >= kth, logits, -np.inf)


def top_p_filter(logits, p: float) -> np.ndarray:
    """Nucleus filtering: keep the smallest set of most probable tokens whose probabilities add
    up to at least ``p`` (0 < p <= 1), set the rest to -inf. Taught in notebook 05. Logits with
    NaN or +inf, or a row that is -inf everywhere, are refused with a ValueError (as in ``sample``)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 < p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {p!r}")
    logits = _check_logits(logits)
    probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    order = np.argsort(-probs, axis=-1)  # most probable first
    sorted_probs = np.take_along_axis(probs, order, axis=-1)
    cumulative = np.cumsum(sorted_probs, axis=-1)
    before = np.concatenate([np.zeros_like(cumulative[..., :1]), cumulative[..., :-1]], axis=-1)  # mass ahead
    keep_sorted = before < p  # a token is kept if the ones before it have not reached p yet
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    return np.where(keep, logits, -np.inf)


def sample(logits, temperature: float = 1.0, rng: np.random.Generator | None = None,
           top_k: int | None = None, top_p: float | None = None) -> np.ndarray:
    """Draw one token id from each row of ``logits`` (..., vocabulary) at ``temperature``,
    optionally only among the ``top_k`` most likely tokens and/or the nucleus of mass ``top_p``
    (applied in that order, after the temperature).

    Returns int64 ids of shape ``logits.shape[:-1]``. ``rng`` defaults to a new unseeded
    generator; pass ``np.random.default_rng(seed)`` for repeatable samples.

    Logits with NaN or +inf, or a row that is -inf everywhere, are refused with a ValueError (the
    model has probably diverged); -inf for some tokens rules them out. A temperature below
    ``MIN_TEMPERATURE`` (1e-6), or one so small that logits / temperature overflows, is refused
    too: use greedy decoding for the limit temperature -> 0.
    """
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a NumPy Generator such as np.random.default_rng(0), got {rng!r}")
    rng = np.random.default_rng() if rng is None else rng
    logits = _check_logits(logits)
    scaled = apply_temperature(logits, temperature)
    if top_k is not None:
        scaled = top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = top_p_filter(scaled, top_p)
    scaled -= scaled.max(axis=-1, keepdims=True)  # for exp without overflow
    probs = np.exp(scaled)
    cumulative = np.cumsum(probs, axis=-1)  # inverse-CDF sampling, one uniform per row
    u = rng.random(cumulative.shape[:-1] + (1,)) * cumulative[..., -1:]
    ids = (cumulative <= u).sum(axis=-1)
    return np.minimum(ids, probs.shape[-1] - 1)


def _check_search(batch_size: int, max_length: int, beam_width: int = 1) -> None:
    for name, value in (("batch_size", batch_size), ("max_length", max_length), ("beam_width", beam_width)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) \
                or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")


def _check_length_penalty(length_penalty) -> float:
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, numbers.Real | np.ndarray) \
            or np.ndim(length_penalty) != 0:
        raise TypeError(f"length_penalty must be a number >= 0 (0: raw log-probabilities, 1: per token), got "
                        f"{length_penalty!r}")
    if not (np.isfinite(length_penalty) and length_penalty >= 0):
        raise ValueError(f"length_penalty must be a finite number >= 0 (0: raw log-probabilities, 1: per token), "
                         f"got {length_penalty}")
    return float(length_penalty)


def _check_ids(start_id, end_id) -> None:
    for name, value in (("start_id", start_id), ("end_id", end_id)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a token id (a whole number >= 0), got {value!r}")


def _checked_step(log_probs, end_id: int):
    """The step's log-probabilities (rows, vocabulary) as float32, refusing NaN, +inf and rows
    with no possible token (the model has probably diverged), and an END id outside the vocabulary."""
    log_probs = tf.cast(log_probs, tf.float32)
    if log_probs.shape.rank != 2:
        raise ValueError(f"step must return log_probs of shape (rows, vocabulary), got {log_probs.shape}")
    if end_id >= log_probs.shape[-1]:
        raise ValueError(f"end_id {end_id} is not a token of this model's vocabulary of {log_probs.shape[-1]}")
    _check_logits(log_probs.numpy(), name="the step's log_probs")
    return log_probs


def _finished_rows(log_probs, finished, end_id: int):
    """Rows that have produced END may only produce END again, at no cost: their score is final."""
    vocabulary = log_probs.shape[-1]
    only_end = tf.math.log(tf.one_hot(end_id, vocabulary, dtype=log_probs.dtype))  # 0 at END, -inf elsewhere
    return tf.where(finished[:, None], only_end[None, :], log_probs)


def greedy_search(step, state, batch_size: int, start_id: int, end_id: int, max_length: int):
    """Decode by taking the most probable token at every step.

    Returns ``tokens`` (batch, max_length) int32, padded with ``end_id`` after the first END, and
    ``scores`` (batch,): the log-probability the model gives to each whole output (up to and
    including its first END).
    """
    _check_search(batch_size, max_length)
    _check_ids(start_id, end_id)
    tokens = tf.fill([batch_size], tf.constant(start_id, tf.int32))
    finished = tf.zeros([batch_size], tf.bool)
    scores = tf.zeros([batch_size], tf.float32)
    outputs = []
    for _ in range(max_length):
        log_probs, state = step(tokens, state)  # (batch, vocabulary)
        log_probs = _finished_rows(_checked_step(log_probs, end_id), finished, end_id)
        tokens = tf.argmax(log_probs, axis=-1, output_type=tf.int32)  # (batch,)
        scores += tf.gather(log_probs, tokens, batch_dims=1)
        finished |= tokens == end_id
        outputs.append(tokens)
    return tf.stack(outputs, axis=1).numpy(), scores.numpy()


def beam_search(step, state, batch_size: int, start_id: int, end_id: int, max_length: int,
                beam_width: int = 4, length_penalty: float = 0.0):
    """Decode by keeping the ``beam_width`` most probable partial outputs at every step.

    At each step every kept hypothesis is extended by every token, and the ``beam_width`` best
    extensions by total log-probability survive. A hypothesis that has produced END keeps its
    score and is extended only by END, so finished and unfinished outputs compete fairly.

    Length: a sum of log-probabilities favours short outputs (every token costs). At the end the
    best of the surviving hypotheses is chosen by ``score / length ** length_penalty``: 0 (the
    default) compares raw log-probabilities, 1 compares the average per token. The search itself
    ranks by raw log-probability. ``length_penalty`` must be a finite number >= 0 (a ValueError
    or TypeError otherwise: a negative one would favour short outputs even more, NaN would choose
    at random).

    Returns ``tokens`` (batch, max_length) and ``scores`` (batch,) (raw log-probabilities) of
    the chosen hypotheses, as ``greedy_search`` does; with ``beam_width=1`` the two agree.
    """
    _check_search(batch_size, max_length, beam_width)
    _check_ids(start_id, end_id)
    length_penalty = _check_length_penalty(length_penalty)
    k = beam_width
    # every tensor in the state gets k copies of each row: (batch * k, ...)
    state = tf.nest.map_structure(lambda s: tf.repeat(s, k, axis=0), state)
    tokens = tf.fill([batch_size * k], tf.constant(start_id, tf.int32))
    # all k beams start identical; only the first may grow at step 1, so no output appears twice
    scores = tf.tile(tf.constant([0.0] + [-np.inf] * (k - 1), tf.float32), [batch_size])  # (batch * k,)
    finished = tf.zeros([batch_size * k], tf.bool)
    history = tf.zeros([batch_size * k, 0], tf.int32)
    lengths = tf.zeros([batch_size * k], tf.float32)
    for _ in range(max_length):
        log_probs, state = step(tokens, state)  # (batch * k, vocabulary)
        log_probs = _finished_rows(_checked_step(log_probs, end_id), finished, end_id)
        vocabulary = log_probs.shape[-1]
        candidates = tf.reshape(scores[:, None] + log_probs, [batch_size, k * vocabulary])
        scores, best = tf.math.top_k(candidates, k=k)  # (batch, k) each
        parent = best // vocabulary + tf.range(batch_size)[:, None] * k  # row it extends, (batch, k)
        parent, tokens, scores = tf.reshape(parent, [-1]), tf.reshape(best % vocabulary, [-1]), tf.reshape(scores, [-1])
        state = tf.nest.map_structure(lambda s, rows=parent: tf.gather(s, rows), state)
        lengths = tf.gather(lengths, parent) + tf.cast(~tf.gather(finished, parent), tf.float32)
        finished = tf.gather(finished, parent) | (tokens == end_id)
        history = tf.concat([tf.gather(history, parent), tokens[:, None]], axis=1)
    ranked = tf.reshape(scores / lengths**length_penalty, [batch_size, k])
    choice = tf.argmax(ranked, axis=1, output_type=tf.int32) + tf.range(batch_size) * k  # (batch,)
    return tf.gather(history, choice).numpy(), tf.gather(scores, choice).numpy()
