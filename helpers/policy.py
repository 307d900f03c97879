"""A language model as a policy: sequence log-probabilities, a batched sampler that returns them,
and the KL divergence between two policies estimated on samples.

Taught in notebook 06 (``06_rl_finetuning.ipynb``: REINFORCE with a KL penalty, DPO); reusable by
any later notebook that fine-tunes an autoregressive model. Everything works on TensorFlow tensors,
so it can run inside ``tf.function`` and under ``tf.GradientTape`` (the log-probabilities that
``sample`` returns carry gradients to the policy's weights; the sampled tokens, being discrete, do
not: exactly what the REINFORCE estimator needs).

>>> logits = model(tokens)                                   # (batch, time, vocabulary)
>>> log_p = sequence_log_prob(logits, targets, mask)         # (batch,)  log p(name)
>>> out = sample(step, h0, 512, start_id, end_id, 16, seed=[0, 1])
>>> out.tokens, out.mask, out.log_probs                      # (512, 16), (512, 16), (512,)
>>> kl_estimate(log_p_policy, log_p_reference)               # nats per sequence
"""

import numbers
from collections.abc import Callable, Sequence
from typing import NamedTuple

from helpers.train import quiet_first_import

with quiet_first_import():
    import tensorflow as tf

__all__ = ["Samples", "sequence_log_prob", "token_log_probs", "sample", "kl_estimate", "mask_after_end"]


def _static_rank(name: str, value, rank: int, what: str):
    value = tf.convert_to_tensor(value)
    if value.shape.rank != rank:
        raise ValueError(f"{name} must be {what}, got shape {value.shape}")
    return value


def token_log_probs(logits, tokens):
    """log p(token) at each position: logits (batch, time, vocabulary), tokens (batch, time) of ids
    -> (batch, time), the log-softmax of each row picked at its token."""
    logits = _static_rank("logits", logits, 3, "(batch, time, vocabulary)")
    tokens = _static_rank("tokens", tokens, 2, "(batch, time) of token ids")
    if not tokens.dtype.is_integer:
        raise ValueError(f"tokens must be integer ids, got dtype {tokens.dtype.name}")
    if not logits.dtype.is_floating:
        raise ValueError(f"logits must be floating point, got dtype {logits.dtype.name}")
    if not logits.shape[:2].is_compatible_with(tokens.shape):
        raise ValueError(f"logits {logits.shape} and tokens {tokens.shape} must agree on (batch, time)")
    vocabulary = logits.shape[-1]
    if tf.executing_eagerly() and vocabulary is not None and tf.size(tokens) > 0:
        low, high = int(tf.reduce_min(tokens)), int(tf.reduce_max(tokens))
        if low < 0 or high >= vocabulary:
            raise ValueError(f"tokens must be ids in [0, {vocabulary}), got min {low} and max {high}")
    log_softmax = tf.nn.log_softmax(logits, axis=-1)
    return tf.gather(log_softmax, tf.cast(tokens, tf.int32), axis=-1, batch_dims=2)  # (batch, time)


def sequence_log_prob(logits, tokens, mask=None):
    """log p(sequence) = the sum over its real positions of log p(token | the tokens before).

    logits (batch, time, vocabulary) are the model's outputs when fed the inputs (teacher
    forcing), tokens (batch, time) the targets (the inputs moved one step ahead), mask (batch,
    time) 1 (True) for real positions and 0 for padding; without a mask every position counts.
    Returns (batch,) in nats. Refused with a ValueError: wrong ranks, shapes that disagree, ids
    outside the vocabulary and mask values other than 0 and 1 (both checked when run eagerly), a
    mask of another shape.
    """
    per_token = token_log_probs(logits, tokens)  # (batch, time)
    if mask is None:
        return tf.reduce_sum(per_token, axis=-1)
    mask = _static_rank("mask", mask, 2, "(batch, time), 1 for real positions and 0 for padding")
    if not mask.shape.is_compatible_with(per_token.shape):
        raise ValueError(f"mask {mask.shape} must have the shape of tokens {per_token.shape}")
    if tf.executing_eagerly() and not mask.dtype.is_bool:
        values = tf.cast(mask, tf.float32)
        if not bool(tf.reduce_all((values == 0.0) | (values == 1.0))):
            odd = values[(values != 0.0) & (values != 1.0)][0]
            raise ValueError(f"mask must hold only 0 and 1 (or True and False), got {float(odd)!r}")
    return tf.reduce_sum(tf.where(tf.cast(mask, tf.bool), per_token, 0.0), axis=-1)


def mask_after_end(tokens, end_id: int):
    """1.0 for every position up to and including the first ``end_id`` of each row, 0.0 after it:
    tokens (batch, time) -> (batch, time) float32. A row without END is real throughout."""
    tokens = _static_rank("tokens", tokens, 2, "(batch, time) of token ids")
    is_end = tf.cast(tf.equal(tokens, end_id), tf.int32)
    ended_before = tf.cumsum(is_end, axis=1, exclusive=True) > 0  # an END earlier in the row
    return 1.0 - tf.cast(ended_before, tf.float32)


class Samples(NamedTuple):
    """What ``sample`` returns: tokens (batch, max_length) int32 with ``pad_id`` after END, mask
    (batch, max_length) float32 (1 up to and including END), token_log_probs (batch, max_length)
    (0 at padding) and log_probs (batch,), their sum: log p(sequence) under the policy."""

    tokens: tf.Tensor
    mask: tf.Tensor
    token_log_probs: tf.Tensor
    log_probs: tf.Tensor


def _check_ids(ids: dict, vocabulary) -> None:
    """Every special id must be a token of the vocabulary: a whole number in [0, vocabulary)."""
    for name, value in ids.items():
        for one in (value if name == "banned" else (value,)):
            if isinstance(one, bool) or not isinstance(one, numbers.Integral) or one < 0:
                raise ValueError(f"{name} must hold whole-number token ids >= 0, got {value!r}")
            if vocabulary is not None and one >= vocabulary:
                raise ValueError(f"{name} {value!r} is not a token id: the model's vocabulary has {vocabulary} "
                                 f"ids, 0 to {vocabulary - 1}")


def _whole(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def sample(step: Callable, state, batch_size: int, start_id: int, end_id: int, max_length: int, seed,
           temperature: float = 1.0, pad_id: int = 0, banned: Sequence[int] = ()) -> Samples:
    """Sample ``batch_size`` sequences at once, each token drawn from the policy's distribution.

    ``step(tokens, state) -> (logits, state)`` runs the model one position: tokens (batch,) int32,
    logits (batch, vocabulary). Every row starts from ``start_id``; a row that has produced
    ``end_id`` is finished (its later positions are ``pad_id`` and masked out). The loop has a
    fixed ``max_length`` (a Python loop, unrolled when traced by ``tf.function``), so a whole batch
    is sampled in one compiled call. ``seed`` is a pair of integers (a tensor is fine inside
    ``tf.function``): the same seed gives the same samples. ``banned`` ids (e.g. PAD and START) are
    never drawn; every id must lie in the model's vocabulary (the width of the logits), else
    ValueError. Each position's random draw uses its own seed, derived from ``seed`` and the
    position by ``tf.random.experimental.stateless_fold_in``, so seeds [s, k] and [s, k + 1] give
    unrelated samples. Under a ``GradientTape`` the returned log-probabilities are differentiable with
    respect to the policy's weights (they are those of the distribution at ``temperature``).
    """
    batch_size = _whole("batch_size", batch_size, 1)
    max_length = _whole("max_length", max_length, 1)
    if not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    banned = tuple(banned)
    ids = {"start_id": start_id, "end_id": end_id, "pad_id": pad_id, "banned": banned}
    _check_ids(ids, None)
    if end_id in banned:
        raise ValueError(f"end_id {end_id} is banned: no sequence could ever finish")
    seed = tf.convert_to_tensor(seed)
    if seed.shape != (2,) or not seed.dtype.is_integer:
        raise ValueError(f"seed must be two integers, e.g. [0, 1], got {seed.shape} of {seed.dtype.name}")
    seed = tf.cast(seed, tf.int32)
    tokens = tf.fill([batch_size], tf.constant(start_id, tf.int32))
    finished = tf.zeros([batch_size], tf.bool)
    out_tokens, out_masks, out_logp = [], [], []
    for t in range(max_length):
        try:
            logits, state = step(tokens, state)  # (batch, vocabulary)
        except tf.errors.InvalidArgumentError as error:  # eagerly, a start_id outside the model's table
            if t > 0:
                raise
            raise ValueError(f"the first step failed on start_id {start_id}: is it a token id of the model? "
                             f"({str(error).splitlines()[0][:120]})") from error
        if logits.shape.rank != 2:
            raise ValueError(f"step must return logits (batch, vocabulary), got shape {logits.shape}")
        if t == 0:
            _check_ids(ids, logits.shape[-1])
        logits = tf.cast(logits, tf.float32) / temperature
        if banned:
            ban = tf.reduce_sum(tf.one_hot(list(banned), tf.shape(logits)[-1]), axis=0) > 0  # (vocabulary,)
            logits = tf.where(ban, tf.float32.min, logits)
        position_seed = tf.random.experimental.stateless_fold_in(seed, t)  # independent of other (seed, t)
        draw = tf.random.stateless_categorical(logits, 1, seed=position_seed, dtype=tf.int32)[:, 0]  # (batch,)
        log_p = tf.gather(tf.nn.log_softmax(logits), draw, axis=-1, batch_dims=1)  # (batch,)
        live = tf.logical_not(finished)
        out_tokens.append(tf.where(live, draw, pad_id))
        out_masks.append(tf.cast(live, tf.float32))
        out_logp.append(tf.where(live, log_p, 0.0))
        finished = tf.logical_or(finished, tf.equal(draw, end_id))
        tokens = draw
    token_logp = tf.stack(out_logp, axis=1)  # (batch, max_length)
    return Samples(tf.stack(out_tokens, axis=1), tf.stack(out_masks, axis=1), token_logp,
                   tf.reduce_sum(token_logp, axis=1))


_DIVERGED = ("the model has probably diverged (a learning rate too high, or a NaN in the loss or the weights): "
             "check the training curve, lower the learning rate or clip gradients, and train again")


def _log_probs(name: str, value):
    """``value`` as a float32 tensor of log-probabilities, or a TypeError naming ``name``."""
    try:
        tensor = tf.convert_to_tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numbers, one log-probability per sample, got "
                        f"{type(value).__name__}") from error
    if not (tensor.dtype.is_floating or tensor.dtype.is_integer):
        raise TypeError(f"{name} must be numbers, one log-probability per sample, got dtype {tensor.dtype.name}")
    return tf.cast(tensor, tf.float32)


def kl_estimate(log_p, log_q, estimator: str = "k1"):
    """KL(p || q) in nats per sequence, estimated on sequences sampled from p.

    log_p and log_q (n,) are the log-probabilities of the same n samples under p (the policy that
    drew them) and q (e.g. the reference model). ``"k1"`` is the plain average of log p - log q
    (unbiased; a single sample can be negative); ``"k3"`` averages (r - 1) - log r with
    r = q / p (also unbiased, never negative, lower variance while p stays close to q). Returns
    a scalar tensor. Refused with a TypeError naming the argument: log_p or log_q not numbers
    (strings, None, booleans). Refused with a ValueError: shapes that differ, an empty batch, an
    unknown estimator, and a NaN in log_p or log_q (checked when run eagerly), which means the model
    that produced them has probably diverged. (-inf is allowed: a sample the model rules out.)
    """
    log_p, log_q = _log_probs("log_p", log_p), _log_probs("log_q", log_q)
    if log_p.shape.rank != 1 or log_p.shape != log_q.shape:
        raise ValueError(f"log_p and log_q must both be (n,), one log-probability per sample, got "
                         f"{log_p.shape} and {log_q.shape}")
    if log_p.shape[0] == 0:
        raise ValueError("no samples: log_p and log_q are empty")
    if estimator not in ("k1", "k3"):
        raise ValueError(f"estimator must be 'k1' or 'k3', got {estimator!r}")
    if tf.executing_eagerly():
        for name, values in (("log_p", log_p), ("log_q", log_q)):
            nan = tf.math.is_nan(values)
            if bool(tf.reduce_any(nan)):
                first = int(tf.where(nan)[0, 0])
                raise ValueError(f"{name} holds {int(tf.reduce_sum(tf.cast(nan, tf.int32)))} NaN of {values.shape[0]} "
                                 f"(first at sample {first}): {_DIVERGED}")
    log_ratio = log_q - log_p  # log q/p
    if estimator == "k1":
        return tf.reduce_mean(-log_ratio)
    return tf.reduce_mean(tf.math.expm1(log_ratio) - log_ratio)
