"""Attention and Transformer blocks, as built in notebook 04 (``04_transformer.ipynb``) and reused
by notebook 05 (the GPT).

- ``scaled_dot_product_attention(q, k, v, mask=None)``: q (batch, heads, queries, depth),
  k and v (batch, heads, keys, depth); ``mask`` is boolean, True where attention is allowed (as in
  Keras), broadcastable to (batch, heads, queries, keys).

Masks are boolean (True = may attend), or integer 0/1 (cast: nonzero = may attend). A float mask
is refused with a TypeError when the function is traced (so also inside ``tf.function`` and
under ``jit_compile=True``): a float mask may be additive (0 = allowed, -inf = blocked), and read
as True/False it would be silently inverted. Pass ``mask == 0`` for an additive mask, or add it
to the scores with ``bias`` / ``attention_bias``. A mask that is boolean but inverted (True where
attention should be blocked) cannot be detected in general: check that the positions you mean to
hide are False.
- ``MultiHeadAttention``: the weight layout of ``keras.layers.MultiHeadAttention`` (query, key,
  value and output projections, kernel then bias each), so weights copy both ways.
- ``sinusoidal_positions``, ``alibi_bias`` (relative positions as a score penalty),
  ``causal_mask``, ``padding_mask``.
- ``EncoderBlock`` and ``DecoderBlock``: pre-norm residual blocks (norm -> attention -> add;
  norm -> feed-forward -> add). A ``DecoderBlock`` without cross-attention is a GPT block.
"""

import math

import numpy as np

from helpers.train import quiet_first_import

with quiet_first_import():
    import keras
    import tensorflow as tf


def scaled_dot_product_attention(q, k, v, mask=None, return_weights: bool = False, bias=None):
    """softmax(q k^T / sqrt(depth) + bias) v, with disallowed positions (mask False) given no weight.

    ``bias`` (optional) is added to the scores, broadcastable to (batch, heads, queries, keys):
    notebook 05 uses it for ALiBi's distance penalty (``alibi_bias``).

    ``mask`` must be boolean (True = may attend) or integer 0/1; a float mask is refused with a
    TypeError (an additive 0 / -inf mask would be inverted: pass ``mask == 0``, or give it as
    ``bias``). The rule looks only at the dtype, so it holds inside ``tf.function`` and under
    ``jit_compile=True``. A boolean mask that is inverted (True = blocked) cannot be detected in
    general.

    Returns the output (batch, heads, queries, depth_v) and, with ``return_weights``, also the
    weights (batch, heads, queries, keys). A query row with no allowed key gets uniform weights
    (as in Keras), not NaN.
    """
    q, k, v = (tf.convert_to_tensor(t) for t in (q, k, v))
    if q.shape.rank != 4 or k.shape.rank != 4 or v.shape.rank != 4:
        raise ValueError(f"q, k, v must be (batch, heads, time, depth), got {q.shape}, {k.shape}, {v.shape}")
    mask = None if mask is None else _boolean_mask(mask, "mask", bias_name="bias")
    scores = tf.matmul(q, k, transpose_b=True) / math.sqrt(q.shape[-1])  # (batch, heads, queries, keys)
    if bias is not None:
        scores += tf.cast(bias, scores.dtype)
    if mask is not None:
        scores = tf.where(mask, scores, tf.cast(-1e9, scores.dtype))
    weights = tf.nn.softmax(scores, axis=-1)
    out = tf.matmul(weights, v)  # (batch, heads, queries, depth_v)
    return (out, weights) if return_weights else out


def _boolean_mask(mask, name: str, bias_name: str):
    """``mask`` as a boolean tensor, True = may attend.

    The rule is static (the dtype only), so it holds when traced by ``tf.function`` and under XLA
    (``jit_compile=True``, which has no Assert op): boolean masks are used as they are; integer
    masks are cast (nonzero = may attend; run eagerly, values other than 0 and 1 are refused);
    float masks are refused with a TypeError, because an additive mask (0 = allowed, -inf or
    -1e9 = blocked) read as True/False is silently inverted."""
    mask = tf.convert_to_tensor(mask)
    dtype = mask.dtype
    if dtype.is_bool:
        return mask
    if dtype.is_floating:
        raise TypeError(f"{name} must be boolean (True = may attend), got dtype {dtype.name}: a float mask is "
                        "ambiguous, and an additive one (0 = allowed, -inf = blocked) would be silently inverted. "
                        f"Pass a boolean mask: `{name} == 0` for an additive 0/-inf mask, `{name} > 0` for a 0/1 "
                        f"mask; or add the scores with {bias_name}=")
    if not dtype.is_integer:
        raise TypeError(f"{name} must be boolean (True = may attend), got dtype {dtype.name}")
    if tf.executing_eagerly():
        values = mask.numpy()
        if not np.isin(values, (0, 1)).all():
            raise ValueError(f"{name} must hold True/1 where attention is allowed and False/0 where it is not; got "
                             f"other values (e.g. {values[~np.isin(values, (0, 1))].ravel()[0]}): pass a boolean mask")
    return tf.cast(mask, tf.bool)


def causal_mask(length, key_length=None):
    """(length, key_length) boolean, True on and below the diagonal: query i may see key j <= i
    (key_length defaults to length)."""
    key_length = length if key_length is None else key_length
    return tf.linalg.band_part(tf.ones([length, key_length], tf.bool), -1, 0)


def padding_mask(tokens, pad_id: int = 0):
    """(batch, 1, 1, time) boolean, False at padding: a mask over keys for every head and query."""
    return (tf.convert_to_tensor(tokens) != pad_id)[:, None, None, :]


def alibi_slopes(num_heads: int) -> np.ndarray:
    """ALiBi's per-head slopes (num_heads,): 2^(-8/H), 2^(-16/H), ... (Press et al., 2022)."""
    return 2.0 ** (-8.0 * np.arange(1, num_heads + 1) / num_heads)


def alibi_bias(num_heads: int, queries: int, keys: int, offset=0):
    """ALiBi: a penalty on attention scores growing with distance, -slope_h * (i - j), shaped
    (1, heads, queries, keys), float32. Query i sits at position ``offset + i`` and key j at
    position j, so with a cache one new query at ``offset`` = its position sees all earlier keys.
    Positions enter only as distances, so a model trained on short windows can read longer ones."""
    i = tf.cast(offset + tf.range(queries), tf.float32)[:, None]  # (queries, 1)
    j = tf.cast(tf.range(keys), tf.float32)[None, :]  # (1, keys)
    slopes = tf.constant(alibi_slopes(num_heads), tf.float32)[:, None, None]  # (heads, 1, 1)
    return (-slopes * tf.abs(i - j))[None]  # (1, heads, queries, keys)


def sinusoidal_positions(length: int, depth: int) -> np.ndarray:
    """The Transformer's fixed positional encodings (length, depth), float32: sines in the even
    columns and cosines in the odd ones, with wavelengths from 2 pi to 10000 * 2 pi."""
    if depth % 2:
        raise ValueError(f"depth must be even, got {depth}")
    positions = np.arange(length)[:, None]  # (length, 1)
    frequencies = 1.0 / 10000 ** (np.arange(0, depth, 2) / depth)  # (depth / 2,)
    angles = positions * frequencies  # (length, depth / 2)
    out = np.zeros((length, depth), np.float32)
    out[:, 0::2], out[:, 1::2] = np.sin(angles), np.cos(angles)
    return out


class MultiHeadAttention(keras.layers.Layer):
    """Multi-head attention with the weights of ``keras.layers.MultiHeadAttention``.

    ``call(query, value, key=None, attention_mask=None, use_causal_mask=False,
    return_attention_scores=False)`` as in Keras: query (batch, queries, dim), value and key
    (batch, keys, dim); ``attention_mask`` (batch, queries, keys) boolean, True = allowed.

    The mask follows Keras's convention (True = may attend) and must be broadcastable to
    (batch, [heads,] queries, keys): a (batch, keys) padding mask is refused (write
    ``mask[:, None, :]``). It must be boolean, or integer 0/1 (cast); a float mask is refused with
    a TypeError when the layer is traced, eagerly, inside ``tf.function`` and under
    ``jit_compile=True`` alike, because an additive mask of 0 / -inf would be silently inverted
    (pass ``mask == 0``, or give the additive mask as ``attention_bias``).

    An inverted mask (True where attention is blocked) cannot be detected in general: a padding
    mask and its inverse are both plausible. Called eagerly, the layer refuses two plainly
    inverted cases (a batch element that may attend to nothing, and a mask True only above the
    diagonal); inside ``tf.function`` those value checks do not run.
    """

    def __init__(self, num_heads: int, key_dim: int, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}"
                                 + (" (more heads than model dimensions leaves each head empty)"
                                    if name == "key_dim" and value == 0 else ""))
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        h, d = self.num_heads, self.key_dim
        for name, dim in (("query", query_shape[-1]), ("key", key_shape[-1]), ("value", value_shape[-1])):
            setattr(self, f"{name}_kernel", self.add_weight(name=f"{name}_kernel", shape=(dim, h, d),
                                                            initializer="glorot_uniform"))
            setattr(self, f"{name}_bias", self.add_weight(name=f"{name}_bias", shape=(h, d), initializer="zeros"))
        self.output_kernel = self.add_weight(name="output_kernel", shape=(h, d, query_shape[-1]),
                                             initializer="glorot_uniform")
        self.output_bias = self.add_weight(name="output_bias", shape=(query_shape[-1],), initializer="zeros")

    def split_heads(self, x, which: str):
        """Project x (batch, time, dim) with the ``which`` ("query", "key" or "value") weights
        into heads: (batch, heads, time, key_dim)."""
        kernel, bias = getattr(self, f"{which}_kernel"), getattr(self, f"{which}_bias")
        return tf.einsum("btm,mhd->bhtd", x, kernel) + bias[None, :, None, :]

    def merge_heads(self, x):
        """Heads (batch, heads, time, key_dim) -> output projection (batch, time, dim)."""
        return tf.einsum("bhtd,hdm->btm", x, self.output_kernel) + self.output_bias

    def call(self, query, value, key=None, attention_mask=None, use_causal_mask=False,
             return_attention_scores=False, attention_bias=None):
        key = value if key is None else key
        mask = None if attention_mask is None else self._check_mask(attention_mask, query, key)  # (b, h|1, q, k)
        if use_causal_mask:
            causal = causal_mask(tf.shape(query)[1], tf.shape(value)[1])[None, None]  # aligned at the start
            mask = causal if mask is None else mask & causal
        out, weights = scaled_dot_product_attention(
            self.split_heads(query, "query"), self.split_heads(key, "key"), self.split_heads(value, "value"),
            mask, return_weights=True, bias=attention_bias)
        out = self.merge_heads(out)  # (batch, queries, dim)
        return (out, weights) if return_attention_scores else out

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim}

    def _check_mask(self, attention_mask, query, key):
        """``attention_mask`` as a boolean (batch, heads or 1, queries, keys) tensor, after checking
        its dtype and shape (static: also when traced) and, when running eagerly, its values; see
        the class docstring."""
        mask = _boolean_mask(attention_mask, "attention_mask", bias_name="attention_bias")
        shape = mask.shape
        if shape.rank not in (3, 4):
            hint = (" (a padding mask over keys: write mask[:, None, :] for (batch, 1, keys))"
                    if shape.rank == 2 else "")
            raise ValueError(f"attention_mask must be broadcastable to (batch, [heads,] queries, keys), got shape "
                             f"{tuple(shape)}{hint}")
        wanted = [("batch", query.shape[0]), ("queries", query.shape[1]), ("keys", key.shape[1])]
        if shape.rank == 4:
            wanted.insert(1, ("heads", self.num_heads))
        for (name, size), got in zip(wanted, shape):
            if got is not None and size is not None and got not in (1, size):
                raise ValueError(f"attention_mask has shape {tuple(shape)}, not broadcastable to (batch, "
                                 f"{'heads, ' if shape.rank == 4 else ''}queries, keys) = "
                                 f"{tuple(s for _, s in wanted)}: its {name} axis is {got}")
        if tf.executing_eagerly():  # plainly inverted masks (not checked when traced)
            allowed = mask.numpy()
            if allowed.ndim == 4:
                allowed = allowed.any(axis=1)
            if not allowed.reshape(len(allowed), -1).any(axis=1).all():
                raise ValueError("attention_mask allows no attention at all for some batch element: Keras's "
                                 "convention is True (1) = may attend; if True marks the positions to block, pass "
                                 "the inverse (~mask, or tf.logical_not(mask))")
            q, k = allowed.shape[-2:]
            if q == k and q > 1:
                lower = np.tril(np.ones((q, k), bool))
                if np.all(~allowed[..., lower]) and allowed.any():
                    raise ValueError("attention_mask is True only above the diagonal: an inverted causal mask. "
                                     "True (1) = may attend, so query i may see keys j <= i (see causal_mask)")
        return mask if shape.rank == 4 else mask[:, None]


def _check_heads(dim, num_heads) -> None:
    for name, value in (("dim", dim), ("num_heads", num_heads)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if num_heads > dim:
        raise ValueError(f"num_heads ({num_heads}) must not exceed dim ({dim}): each head gets dim // num_heads "
                         "dimensions, and that would be 0")


class FeedForward(keras.layers.Layer):
    """Position-wise feed-forward network: dense (ff_dim, GELU) -> dense (dim)."""

    def __init__(self, dim: int, ff_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.up = keras.layers.Dense(ff_dim, activation="gelu")
        self.down = keras.layers.Dense(dim)

    def call(self, x):
        return self.down(self.up(x))


class EncoderBlock(keras.layers.Layer):
    """Pre-norm encoder block: x + attention(norm(x)), then x + feed-forward(norm(x))."""

    def __init__(self, dim: int, num_heads: int, ff_dim: int, **kwargs):
        super().__init__(**kwargs)
        _check_heads(dim, num_heads)
        self.norm1, self.norm2 = keras.layers.LayerNormalization(), keras.layers.LayerNormalization()
        self.attention = MultiHeadAttention(num_heads, dim // num_heads)
        self.feed_forward = FeedForward(dim, ff_dim)

    def call(self, x, mask=None):
        # x (batch, time, dim); mask (batch, time, time) boolean, True = allowed
        h = self.norm1(x)
        x = x + self.attention(h, h, attention_mask=mask)
        return x + self.feed_forward(self.norm2(x))


class DecoderBlock(keras.layers.Layer):
    """Pre-norm decoder block: causal self-attention, then (optionally) cross-attention to the
    encoder's output, then feed-forward; each as x + sublayer(norm(x)). Without cross-attention
    it is the block of a decoder-only language model (GPT)."""

    def __init__(self, dim: int, num_heads: int, ff_dim: int, cross_attention: bool = True, **kwargs):
        super().__init__(**kwargs)
        _check_heads(dim, num_heads)
        self.norm1, self.norm3 = keras.layers.LayerNormalization(), keras.layers.LayerNormalization()
        self.self_attention = MultiHeadAttention(num_heads, dim // num_heads)
        self.cross = cross_attention
        if cross_attention:
            self.norm2 = keras.layers.LayerNormalization()
            self.cross_attention = MultiHeadAttention(num_heads, dim // num_heads)
        self.feed_forward = FeedForward(dim, ff_dim)

    def call(self, x, memory=None, memory_mask=None, return_attention_scores=False, self_bias=None):
        # x (batch, time, dim); memory (batch, source, dim); memory_mask (batch, time, source);
        # self_bias: added to the self-attention scores (ALiBi), (1, heads, time, time)
        h = self.norm1(x)
        x = x + self.self_attention(h, h, use_causal_mask=True, attention_bias=self_bias)
        weights = None
        if self.cross:
            out, weights = self.cross_attention(self.norm2(x), memory, attention_mask=memory_mask,
                                                return_attention_scores=True)
            x = x + out
        x = x + self.feed_forward(self.norm3(x))
        return (x, weights) if return_attention_scores else x
