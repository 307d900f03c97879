"""The exercise checks of notebook 05: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np
import tensorflow as tf

from helpers import checks


def _softmax(z, axis=-1):
    z = np.exp(z - z.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def min_p(logits, p_min):
    probs = _softmax(np.asarray(logits, dtype=np.float64))
    return np.where(probs >= p_min * probs.max(axis=-1, keepdims=True), logits, -np.inf)


def min_p_tf(logits, p_min):
    probs = tf.nn.softmax(logits, axis=-1)  # float32 throughout
    keep = probs >= p_min * tf.reduce_max(probs, axis=-1, keepdims=True)
    return tf.where(keep, logits, -np.inf)


def test_min_p_accepts_numpy_and_float32_tf_answers(capsys):
    assert checks.min_p_filter(min_p)
    assert checks.min_p_filter(min_p_tf)


def test_min_p_catches_an_absolute_threshold_and_a_threshold_on_logits(capsys):
    absolute = lambda logits, p_min: np.where(_softmax(logits) >= p_min, logits, -np.inf)  # noqa: E731
    assert not checks.min_p_filter(absolute)
    assert "keeps" in capsys.readouterr().out
    on_logits = lambda logits, p_min: np.where(logits >= p_min * logits.max(-1, keepdims=True), logits, -np.inf)  # noqa: E731
    assert not checks.min_p_filter(on_logits)
    assert "keeps" in capsys.readouterr().out
    wrong_axis = lambda logits, p_min: min_p(logits.T, p_min).T  # noqa: E731  softmax over the rows
    assert not checks.min_p_filter(wrong_axis)
    assert "row" in capsys.readouterr().out


def cached_step(x, position, cache, weights, scale=True, positions=True, whole_cache=False):
    h = x + weights["positions"][position] if positions else x
    cache = {name: np.array(c) for name, c in cache.items()}
    cache["key"][position], cache["value"][position] = h @ weights["key"], h @ weights["value"]
    seen = slice(None) if whole_cache else slice(0, position + 1)
    scores = cache["key"][seen] @ (h @ weights["query"])
    if scale:
        scores = scores / np.sqrt(len(x))
    return _softmax(scores) @ cache["value"][seen], cache


def cached_step_tf(x, position, cache, weights):
    """The same in TensorFlow, float32, with the cache updated out of place."""
    h = x + tf.gather(weights["positions"], position)
    rows = tf.range(tf.shape(cache["key"])[0])[:, None] == position
    keys = tf.where(rows, (h[None] @ weights["key"]), cache["key"])
    values = tf.where(rows, (h[None] @ weights["value"]), cache["value"])
    scores = keys[: position + 1] @ tf.transpose(h[None] @ weights["query"]) / tf.sqrt(float(x.shape[-1]))
    out = tf.reduce_sum(tf.nn.softmax(scores, axis=0) * values[: position + 1], axis=0)
    return out, {"key": keys, "value": values}


def test_absolute_cached_step_accepts_numpy_and_float32_tf_answers():
    assert checks.absolute_cached_step(cached_step)
    assert checks.absolute_cached_step(cached_step_tf)


def test_absolute_cached_step_catches_typical_mistakes(capsys):
    capsys.readouterr()
    assert not checks.absolute_cached_step(lambda *a: cached_step(*a, positions=False))  # forgot the position
    assert "step 0 (position 0) differs" in capsys.readouterr().out
    assert not checks.absolute_cached_step(lambda *a: cached_step(*a, scale=False))  # no 1/sqrt(d)
    out = capsys.readouterr().out
    assert "step 1 (position 1) differs" in out and "step 0" not in out
    assert not checks.absolute_cached_step(lambda *a: cached_step(*a, whole_cache=True))  # attends to empty rows
    assert "step 0 (position 0) differs" in capsys.readouterr().out


def test_stubs_say_not_yet(capsys):
    def stub(*args):
        raise NotImplementedError  # your code here

    assert not checks.min_p_filter(stub)
    assert not checks.absolute_cached_step(stub)
    assert capsys.readouterr().out.count("not yet") == 2
