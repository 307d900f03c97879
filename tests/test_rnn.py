"""helpers.rnn: the GRU cell and the unrolled loop agree with keras.layers.GRU, weights copied
either way, with masks and in reverse."""

import keras
import numpy as np
import pytest

from helpers import rnn


def pair(features, units, seed):
    """Our cell and a Keras GRU layer with random weights (biases too), the same in both."""
    keras.utils.set_random_seed(seed)
    cell = rnn.GRUCell(units)
    cell.build((None, features))
    layer = keras.layers.GRU(units, return_sequences=True, return_state=True)
    layer.build((None, None, features))
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, w.shape).astype(np.float32) for w in cell.get_weights()]
    return cell, layer, weights


@pytest.mark.parametrize("features, units, time, seed", [(3, 4, 1, 0), (7, 16, 9, 1), (32, 64, 20, 2)])
@pytest.mark.parametrize("direction", ["ours to keras", "keras to ours"])
def test_gru_matches_keras_with_weights_copied_either_way(features, units, time, seed, direction):
    cell, layer, weights = pair(features, units, seed)
    source, target = (cell, layer) if direction == "ours to keras" else (layer, cell)
    source.set_weights(weights)
    target.set_weights(source.get_weights())
    rng = np.random.default_rng(seed + 10)
    x = rng.normal(size=(5, time, features)).astype(np.float32)
    h0 = rng.normal(size=(5, units)).astype(np.float32)
    expected, last = layer(x, initial_state=h0)
    ours = rnn.unroll(cell, x, h0)
    np.testing.assert_allclose(ours, expected, atol=1e-5)
    np.testing.assert_allclose(ours[:, -1], last, atol=1e-5)
    assert [w.shape for w in cell.weights] == [w.shape for w in layer.weights]


def test_masked_steps_keep_the_state_and_reverse_reads_from_the_end():
    cell, layer, weights = pair(6, 8, 3)
    cell.set_weights(weights)
    layer.set_weights(weights)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 7, 6)).astype(np.float32)
    lengths = np.array([7, 5, 1, 3])
    mask = np.arange(7)[None, :] < lengths[:, None]  # (4, 7), padding at the end
    states = rnn.unroll(cell, x, mask=mask).numpy()
    _, expected_last = layer(x, mask=mask)
    np.testing.assert_allclose(states[:, -1], expected_last, atol=1e-5)
    for row, n in enumerate(lengths):  # each row alone, without its padding
        np.testing.assert_allclose(states[row, :n], rnn.unroll(cell, x[row:row + 1, :n])[0], atol=1e-5)

    backward = keras.layers.GRU(8, return_sequences=True, go_backwards=True)
    backward.build((None, None, 6))
    backward.set_weights(weights)
    reverse = rnn.unroll(cell, x, reverse=True).numpy()
    np.testing.assert_allclose(reverse, backward(x).numpy()[:, ::-1], atol=1e-5)


def test_unroll_needs_a_known_number_of_steps():
    with pytest.raises(ValueError, match="batch, time, features"):
        rnn.unroll(rnn.GRUCell(4), np.zeros((2, 3), np.float32))
