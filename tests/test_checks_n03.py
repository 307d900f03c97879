"""The exercise checks of notebook 03: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np
import pytest
import tensorflow as tf

from helpers import checks


def luong(query, keys, mask, w, mistake=None):
    scores = np.einsum("bq,qd,btd->bt", query, w, keys)
    if mistake == "scaled":
        scores = scores / np.sqrt(keys.shape[-1])
    if mistake != "no mask":
        scores = np.where(mask, scores, -1e9)
    axis = 0 if mistake == "batch softmax" else 1
    weights = np.exp(scores - scores.max(axis, keepdims=True))
    weights /= weights.sum(axis, keepdims=True)
    return (weights[:, :, None] * keys).sum(1), weights


def luong_tf(query, keys, mask, w):  # float32 TensorFlow answers pass too
    query, keys, w = (tf.constant(a, tf.float32) for a in (query, keys, w))
    scores = tf.einsum("bd,btd->bt", query @ w, keys)
    weights = tf.nn.softmax(tf.where(mask, scores, -1e9), axis=-1)
    return tf.einsum("bt,btd->bd", weights, keys), weights


@pytest.mark.parametrize("mistake, message", [
    ("no mask", "masked keys get weight"),
    ("batch softmax", "the softmax runs over the batch axis"),
    ("scaled", "without the 1/sqrt(d)"),
])
def test_luong_attention_names_typical_mistakes(capsys, mistake, message):
    assert checks.luong_attention(luong) and checks.luong_attention(luong_tf)
    capsys.readouterr()
    assert not checks.luong_attention(lambda *args: luong(*args, mistake=mistake))
    out = capsys.readouterr().out
    assert "batch 3, 7 keys, some masked:" in out and "largest difference" in out and message in out


def choose(tokens, scores, end_id, alpha, mistake=None):
    is_end = tokens == end_id
    lengths = np.where(is_end.any(-1), is_end.argmax(-1) + 1, tokens.shape[-1])
    if mistake == "without END":
        lengths = np.maximum(lengths - 1, 1)
    if mistake == "padding counted":
        lengths = np.full(scores.shape, tokens.shape[-1])
    penalty = lengths**alpha if mistake == "plain length" else ((5 + lengths) / 6) ** alpha
    if mistake == "alpha ignored":
        return scores.argmax(1)
    ranked = scores * penalty if mistake == "multiplied" else scores / penalty
    return ranked.argmin(1) if mistake == "argmin" else ranked.argmax(1)


HINTS = {
    "alpha ignored": "these are the raw scores' choices",
    "padding counted": "these are the raw scores' choices",  # the same choices: every length is the full one
    "plain length": "that is score / length ** alpha (helpers.sampling's penalty)",
    "without END": "count the first END token in the length",
    "multiplied": "divide the score by the penalty",
    "argmin": "the largest (least negative) normalised score",
}


@pytest.mark.parametrize("mistake", list(HINTS))
def test_choose_hypothesis_names_typical_mistakes(capsys, mistake):
    assert checks.choose_hypothesis(choose)
    assert checks.choose_hypothesis(lambda *args: tf.constant(choose(*args)))
    capsys.readouterr()
    assert not checks.choose_hypothesis(lambda *args: choose(*args, mistake=mistake))
    out = capsys.readouterr().out
    assert "rows choose another hypothesis" in out and HINTS[mistake] in out
    for other, hint in HINTS.items():  # and no other mistake's hint
        if hint != HINTS[mistake]:
            assert hint not in out, f"{mistake} got the hint of {other}"


def test_choose_hypothesis_hints_only_a_mistake_made_on_every_case(capsys):
    """An answer that agrees with a mistake on one case but not on the others gets no hint."""
    def sometimes_raw(tokens, scores, end_id, alpha):  # raw scores on one case only
        return choose(tokens, scores, end_id, alpha, "alpha ignored" if len(tokens) == 16 and alpha == 1 else None)

    assert not checks.choose_hypothesis(sometimes_raw)
    out = capsys.readouterr().out
    assert "rows choose another hypothesis" in out
    assert not any(hint in out for hint in HINTS.values())


def test_stubs_say_not_yet(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (checks.luong_attention, checks.choose_hypothesis):
        result = check(stub)
        assert not result and result.stub
    assert capsys.readouterr().out.count("not yet") == 2


def test_additive_attention_check_of_the_lesson_catches_a_missing_mask():
    def attention(query, keys, mask, w_query, w_keys, v, use_mask=True):
        scores = np.tanh(keys @ w_keys + (query @ w_query)[:, None]) @ v
        scores = np.where(mask, scores, -np.inf) if use_mask else scores
        weights = np.exp(scores - scores.max(1, keepdims=True))
        weights /= weights.sum(1, keepdims=True)
        return (weights[:, :, None] * keys).sum(1), weights

    assert checks.additive_attention(attention)
    assert not checks.additive_attention(lambda *args: attention(*args, use_mask=False))
