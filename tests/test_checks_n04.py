"""The exercise checks of notebook 04: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import keras
import tensorflow as tf

from helpers import checks


def test_split_and_merge_heads_accept_right_answers_and_catch_transposed_ones(capsys):
    def split(x, heads):
        b, t, m = x.shape
        return x.reshape(b, t, heads, m // heads).transpose(0, 2, 1, 3)

    assert checks.split_heads(split)
    assert checks.split_heads(lambda x, heads: tf.transpose(tf.reshape(tf.cast(x, tf.float32), (*x.shape[:2], heads, -1)),
                                                            (0, 2, 1, 3)))  # float32 TensorFlow
    assert not checks.split_heads(lambda x, heads: x.reshape(x.shape[0], heads, x.shape[1], -1))  # no transpose
    assert "largest difference" in capsys.readouterr().out
    assert checks.merge_heads(lambda x: x.transpose(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1))
    assert not checks.merge_heads(lambda x: x.reshape(x.shape[0], x.shape[2], -1))
    assert "largest difference" in capsys.readouterr().out


def _failed_cases(out: str) -> list[str]:
    """The case descriptions on the checker's failure lines ("  ✗ <case>: <problem>")."""
    return [line.split("✗ ", 1)[1].split(":", 1)[0] for line in out.splitlines() if line.startswith("  ✗ ")]


def test_split_heads_names_the_cases_of_interleaved_heads_and_a_wrong_permutation(capsys):
    # Interleaved heads: the last axis cut as (depth, heads), so head h takes every heads-th feature.
    # One head cannot tell the two orders apart; the checker must name the multi-head cases.
    def interleaved(x, heads):
        b, t, m = x.shape
        return x.reshape(b, t, m // heads, heads).transpose(0, 3, 1, 2)

    result = checks.split_heads(interleaved)
    out = capsys.readouterr().out
    assert not result and result.passed == 1 and "split_heads: 1/3 cases passed" in out
    assert _failed_cases(out) == ["4 heads of 3", "8 heads of 16"]
    assert "4 heads of 3: largest difference" in out and "8 heads of 16: largest difference" in out

    # A wrong permutation: the last two axes swapped instead of time and heads -> (batch, time, depth, heads).
    def wrong_permutation(x, heads):
        b, t, m = x.shape
        return x.reshape(b, t, heads, m // heads).transpose(0, 1, 3, 2)

    assert not checks.split_heads(wrong_permutation)
    out = capsys.readouterr().out
    assert _failed_cases(out) == ["1 heads of 4", "4 heads of 3", "8 heads of 16"]
    assert "4 heads of 3: shape (2, 5, 3, 4), expected (2, 4, 5, 3)" in out


def test_merge_heads_names_the_cases_of_interleaved_heads_and_a_wrong_permutation(capsys):
    # Interleaved heads: (batch, heads, time, depth) -> (batch, time, depth, heads) before the reshape,
    # so the features of one head end up every heads-th place instead of side by side.
    result = checks.merge_heads(lambda x: x.transpose(0, 2, 3, 1).reshape(x.shape[0], x.shape[2], -1))
    out = capsys.readouterr().out
    assert not result and result.passed == 1 and "merge_heads: 1/3 cases passed" in out
    assert _failed_cases(out) == ["4 heads of 3", "8 heads of 16"]
    assert "4 heads of 3: largest difference" in out and "8 heads of 16: largest difference" in out

    # A wrong permutation: batch and heads swapped instead of heads and time; the shape comes out
    # right after the reshape, the values do not (one batch element cannot show it).
    result = checks.merge_heads(lambda x: x.transpose(1, 0, 2, 3).reshape(x.shape[0], x.shape[2], -1))
    out = capsys.readouterr().out
    assert not result and result.passed == 1
    assert _failed_cases(out) == ["4 heads of 3", "8 heads of 16"]
    assert "4 heads of 3: largest difference" in out


def _positions_layer(shape=lambda m, d: (m, d), rows=lambda t: slice(0, t), trainable=True):
    class Layer(keras.layers.Layer):
        def __init__(self, max_length, dim, **kwargs):
            super().__init__(**kwargs)
            self.max_length, self.dim = max_length, dim

        def build(self, input_shape):
            self.table = self.add_weight(shape=shape(self.max_length, self.dim), initializer="random_normal",
                                         trainable=trainable)

        def call(self, x):
            t = x.shape[1]
            table = self.table if shape(2, 3) == (2, 3) else keras.ops.transpose(self.table)
            return x + table[rows(t)]

    return Layer


def test_learned_positions_accepts_the_solution_and_catches_typical_mistakes(capsys):
    assert checks.learned_positions(_positions_layer())
    capsys.readouterr()
    assert not checks.learned_positions(_positions_layer(shape=lambda m, d: (d, m)))  # table transposed
    assert "expected (max_length, dim)" in capsys.readouterr().out
    assert not checks.learned_positions(_positions_layer(rows=lambda t: slice(1, t + 1)))  # positions off by one
    assert "largest difference" in capsys.readouterr().out
    assert not checks.learned_positions(_positions_layer(trainable=False))  # a table that is not learned
    assert "expected one trainable weight" in capsys.readouterr().out
    assert not checks.learned_positions(_positions_layer(rows=lambda t: slice(None)))  # the whole table, not table[:t]
    out = capsys.readouterr().out
    assert "incompatible shapes" in out and "slice the table to the input's length" in out
    assert "\x1b" not in out and "InvalidArgumentError" not in out  # no raw TensorFlow dump with ANSI codes


def test_stubs_say_not_yet(capsys):
    class Stub(keras.layers.Layer):
        def __init__(self, max_length, dim, **kwargs):
            super().__init__(**kwargs)

        def build(self, input_shape):
            raise NotImplementedError  # your code here

        def call(self, x):
            raise NotImplementedError  # your code here

    def stub(*args):
        raise NotImplementedError

    assert not checks.learned_positions(Stub)
    assert not checks.split_heads(stub)
    assert not checks.merge_heads(stub)
    out = capsys.readouterr().out
    assert out.count("not yet") == 3
