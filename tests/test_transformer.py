"""helpers.transformer: attention against a NumPy reference and keras.layers.MultiHeadAttention,
weights copied both ways, with no mask, a padding mask and a causal mask."""

import keras
import numpy as np
import pytest

from helpers import transformer


def reference_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    return weights @ v, weights


@pytest.mark.parametrize("mask_kind", ["none", "padding", "causal", "full"])
def test_scaled_dot_product_attention_matches_numpy(mask_kind):
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(3, 2, 5, 8)) for _ in range(3))
    mask = {"none": None, "padding": (np.arange(5) < np.array([5, 3, 1])[:, None])[:, None, None, :],
            "causal": np.tril(np.ones((5, 5), bool)), "full": rng.random((3, 2, 5, 5)) > 0.3}[mask_kind]
    out, weights = transformer.scaled_dot_product_attention(q, k, v, mask, return_weights=True)
    expected, expected_weights = reference_attention(q, k, v, mask)
    np.testing.assert_allclose(out, expected, atol=1e-9)
    np.testing.assert_allclose(weights, expected_weights, atol=1e-9)
    if mask is not None:
        assert np.all(np.asarray(weights)[~np.broadcast_to(mask, weights.shape)] < 1e-12)


def test_attention_refuses_inputs_without_heads():
    with pytest.raises(ValueError, match="batch, heads, time, depth"):
        transformer.scaled_dot_product_attention(np.zeros((2, 3, 4)), np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))


def test_masks_and_positions():
    np.testing.assert_array_equal(transformer.causal_mask(3), np.tril(np.ones((3, 3), bool)))
    np.testing.assert_array_equal(transformer.causal_mask(2, 4), [[1, 0, 0, 0], [1, 1, 0, 0]])
    assert transformer.padding_mask(np.array([[5, 2, 0]])).numpy().tolist() == [[[[True, True, False]]]]
    pe = transformer.sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == np.float32
    np.testing.assert_allclose(pe[0], [0, 1] * 8)  # sin 0, cos 0
    np.testing.assert_allclose(pe[7, 0], np.sin(7), rtol=1e-6)
    np.testing.assert_allclose(pe[7, 3], np.cos(7 / 10000 ** (2 / 16)), rtol=1e-6)
    with pytest.raises(ValueError, match="even"):
        transformer.sinusoidal_positions(5, 7)


CASES = [(1, 8, 5, 5), (2, 16, 7, 7), (4, 32, 6, 9), (8, 64, 12, 12)]  # heads, dim, queries, keys


@pytest.mark.parametrize("heads, dim, tq, tk", CASES)
@pytest.mark.parametrize("mask_kind", ["none", "padding", "causal"])
@pytest.mark.parametrize("direction", ["ours to keras", "keras to ours"])
def test_multi_head_attention_matches_keras(heads, dim, tq, tk, mask_kind, direction):
    rng = np.random.default_rng(heads * 100 + tq)
    query = rng.normal(size=(3, tq, dim)).astype(np.float32)
    value = rng.normal(size=(3, tk, dim)).astype(np.float32)
    ours = transformer.MultiHeadAttention(heads, dim // heads)
    theirs = keras.layers.MultiHeadAttention(heads, dim // heads)
    ours.build(query.shape, value.shape)
    theirs.build(query.shape, value.shape)
    source, target = (ours, theirs) if direction == "ours to keras" else (theirs, ours)
    source.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32) for w in source.get_weights()])
    target.set_weights(source.get_weights())
    options = {}
    if mask_kind == "padding":
        options["attention_mask"] = np.broadcast_to(np.arange(tk) < np.array([tk, 3, 1])[:, None, None], (3, tq, tk))
    elif mask_kind == "causal":
        options["use_causal_mask"] = True
    out, scores = ours(query, value, return_attention_scores=True, **options)
    expected, expected_scores = theirs(query, value, return_attention_scores=True, **options)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-5)


def test_decoder_block_is_causal_and_encoder_block_respects_padding():
    rng = np.random.default_rng(1)
    block = transformer.DecoderBlock(16, 4, 32, cross_attention=False)
    x = rng.normal(size=(2, 6, 16)).astype(np.float32)
    changed = x.copy()
    changed[:, 4:] += 1.0  # the future changes...
    np.testing.assert_allclose(block(x)[:, :4], block(changed)[:, :4], atol=1e-5)  # ...the past does not
    assert not np.allclose(block(x)[:, 4:], block(changed)[:, 4:])

    encoder = transformer.EncoderBlock(16, 4, 32)
    keep = np.broadcast_to(np.arange(6) < 4, (2, 6, 6))  # keys 4 and 5 are padding
    noisy = x.copy()
    noisy[:, 4:] = rng.normal(size=(2, 2, 16))
    np.testing.assert_allclose(encoder(x, keep)[:, :4], encoder(noisy, keep)[:, :4], atol=1e-5)

    cross = transformer.DecoderBlock(16, 4, 32)
    out, weights = cross(x, memory=rng.normal(size=(2, 9, 16)).astype(np.float32), return_attention_scores=True)
    assert out.shape == (2, 6, 16) and weights.shape == (2, 4, 6, 9)


def test_alibi_penalises_distance_and_works_with_an_offset():
    bias = transformer.alibi_bias(4, 5, 5).numpy()
    assert bias.shape == (1, 4, 5, 5)
    np.testing.assert_allclose(bias[0, 0, 4, 1], -3 * 2 ** -2)  # head 0: slope 1/4, distance 3
    np.testing.assert_allclose(bias[0, 3, 2, 2], 0.0)
    last = transformer.alibi_bias(4, 1, 5, offset=4).numpy()  # one new query at position 4
    np.testing.assert_allclose(last[0, :, 0], bias[0, :, 4])
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(1, 4, 5, 8)) for _ in range(3))
    out = transformer.scaled_dot_product_attention(q, k, v, transformer.causal_mask(5), bias=bias)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(8) + bias
    weights = np.where(np.tril(np.ones((5, 5), bool)), scores, -1e9)
    weights = np.exp(weights - weights.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    np.testing.assert_allclose(out, weights @ v, atol=1e-9)


# Issue 18: masks and head counts that would silently attend wrongly are refused -------------------


def _mha_inputs(batch=4, tq=5, tk=6, dim=16):
    rng = np.random.default_rng(0)
    return (rng.normal(size=(batch, tq, dim)).astype(np.float32), rng.normal(size=(batch, tk, dim)).astype(np.float32))


def test_a_batch_by_keys_mask_is_refused_even_when_batch_equals_heads():
    query, value = _mha_inputs(batch=4)
    mha = transformer.MultiHeadAttention(num_heads=4, key_dim=4)
    keys_mask = np.ones((4, 6), bool)  # (batch, keys): was applied per head
    with pytest.raises(ValueError, match=r"got shape \(4, 6\).*mask\[:, None, :\]"):
        mha(query, value, attention_mask=keys_mask)
    with pytest.raises(ValueError, match="its queries axis is 3"):
        mha(query, value, attention_mask=np.ones((4, 3, 6), bool))
    with pytest.raises(ValueError, match="its heads axis is 2"):
        mha(query, value, attention_mask=np.ones((4, 2, 5, 6), bool))
    out = mha(query, value, attention_mask=keys_mask[:, None, :])  # (batch, 1, keys) broadcasts
    assert out.shape == (4, 5, 16)
    per_head = mha(query, value, attention_mask=np.ones((4, 4, 5, 6), bool))  # (batch, heads, q, k)
    np.testing.assert_allclose(per_head, out, atol=1e-6)


def test_additive_and_inverted_masks_are_refused():
    query, value = _mha_inputs()
    mha = transformer.MultiHeadAttention(num_heads=2, key_dim=4)
    allowed = np.ones((4, 5, 6), bool)
    allowed[:, :, 4:] = False
    additive = np.where(allowed, 0.0, -np.inf).astype(np.float32)  # 0 / -inf: was inverted silently
    with pytest.raises(TypeError, match=r"must be boolean.*float32.*attention_mask == 0"):
        mha(query, value, attention_mask=additive)
    np.testing.assert_allclose(mha(query, value, attention_mask=additive == 0),
                               mha(query, value, attention_mask=allowed), atol=1e-6)  # the fix the message gives
    with pytest.raises(ValueError, match="allows no attention at all.*~mask"):
        mha(query, value, attention_mask=np.zeros((4, 5, 6), bool))  # True = blocked, nothing blocked
    x = query
    inverted_causal = ~np.tril(np.ones((5, 5), bool))[None].repeat(4, 0)
    with pytest.raises(ValueError, match="inverted causal mask"):
        mha(x, x, attention_mask=inverted_causal)
    with pytest.raises(TypeError, match="must be boolean"):
        mha(query, value, attention_mask=np.full((4, 5, 6), "yes"))
    with pytest.raises(TypeError, match="must be boolean"):  # a float 1/0 mask cannot be told from 0/-inf
        mha(query, value, attention_mask=allowed.astype(np.float32))
    ones = mha(query, value, attention_mask=allowed.astype(np.int32))  # integer 1/0 (Keras's convention) works
    np.testing.assert_allclose(ones, mha(query, value, attention_mask=allowed), atol=1e-6)
    with pytest.raises(ValueError, match=r"True/1 where attention is allowed.*e\.g\. -1"):
        mha(query, value, attention_mask=np.where(allowed, 0, -1))  # an integer additive mask


@pytest.mark.parametrize("num_heads, key_dim", [(0, 8), (-1, 8), (2, 0), (2.5, 4), (True, 4)])
def test_head_counts_are_checked(num_heads, key_dim):
    with pytest.raises(ValueError, match="must be a whole number >= 1"):
        transformer.MultiHeadAttention(num_heads=num_heads, key_dim=key_dim)


def test_blocks_refuse_more_heads_than_dimensions():
    with pytest.raises(ValueError, match=r"num_heads \(8\) must not exceed dim \(4\)"):
        transformer.EncoderBlock(4, 8, 16)  # was heads of 0 dimensions
    with pytest.raises(ValueError, match="num_heads must be a whole number >= 1"):
        transformer.DecoderBlock(32, 0, 64)


# Issue 18: the mask rule is static, so it holds inside tf.function and under XLA -------------------


def _attention_inputs():
    rng = np.random.default_rng(3)
    q, k, v = (rng.normal(size=(2, 2, 4, 8)).astype(np.float32) for _ in range(3))
    allowed = np.broadcast_to(np.arange(4) < np.array([4, 2])[:, None, None, None], (2, 1, 4, 4))
    return q, k, v, allowed


@pytest.mark.parametrize("mode", ["eager", "tf.function", "jit_compile"])
def test_scaled_dot_product_attention_refuses_a_float_mask_in_every_mode(mode):
    import tensorflow as tf

    q, k, v, allowed = _attention_inputs()
    additive = np.where(allowed, 0.0, -np.inf).astype(np.float32)  # was silently inverted, even eagerly
    attend = transformer.scaled_dot_product_attention
    if mode != "eager":
        attend = tf.function(transformer.scaled_dot_product_attention, jit_compile=mode == "jit_compile")
    with pytest.raises(TypeError, match=r"mask must be boolean.*float32.*`mask == 0`.*bias="):
        attend(q, k, v, additive)
    with pytest.raises(TypeError, match="must be boolean"):
        attend(q, k, v, allowed.astype(np.float64))  # a 0/1 float mask is refused too: its meaning is ambiguous
    expected = reference_attention(q, k, v, allowed)[0]
    for mask in (allowed, allowed.astype(np.int32), additive == 0):  # boolean, integer 0/1, the suggested fix
        np.testing.assert_allclose(attend(q, k, v, tf.constant(mask)), expected, atol=1e-5)


@pytest.mark.parametrize("mode", ["tf.function", "jit_compile"])
def test_multi_head_attention_refuses_a_float_mask_when_traced(mode):
    import tensorflow as tf

    query, value = _mha_inputs()
    mha = transformer.MultiHeadAttention(num_heads=2, key_dim=4)
    allowed = np.ones((4, 5, 6), bool)
    allowed[:, :, 4:] = False
    eager = mha(query, value, attention_mask=allowed)  # builds the layer
    traced = tf.function(lambda mask: mha(query, value, attention_mask=mask), jit_compile=mode == "jit_compile")
    additive = np.where(allowed, 0.0, -np.inf).astype(np.float32)
    with pytest.raises(TypeError, match=r"attention_mask must be boolean.*attention_mask == 0.*attention_bias="):
        traced(tf.constant(additive))  # before: the eager-only check was skipped and the mask inverted
    np.testing.assert_allclose(traced(tf.constant(allowed)), eager, atol=1e-5)
    np.testing.assert_allclose(traced(tf.constant(allowed.astype(np.int32))), eager, atol=1e-5)
    block = transformer.EncoderBlock(8, 2, 16)
    x = np.zeros((4, 6, 8), np.float32)
    block(x, allowed[:, :1].repeat(6, 1))
    with pytest.raises(TypeError, match="attention_mask must be boolean"):
        tf.function(block)(x, tf.constant(additive[:, :1].repeat(6, 1)))
