"""A GRU cell from tensor operations, and a loop that runs a cell over time.

Taught in notebook 02 (``02_rnn_language_model.ipynb``), reused by notebook 03 (seq2seq with
attention). The cell follows ``keras.layers.GRU`` exactly (gate order update, reset, candidate;
``reset_after=True``; the same weight names and shapes), so weights copy both ways with
``get_weights`` / ``set_weights``:

>>> cell = GRUCell(8)
>>> keras_gru = keras.layers.GRU(8, return_sequences=True)
>>> keras_gru.build((None, None, 3)); cell.build((None, 3))
>>> keras_gru.set_weights(cell.get_weights())      # ours -> Keras (and back the same way)
"""

from helpers.train import quiet_first_import

with quiet_first_import():
    import keras
    import tensorflow as tf


class GRUCell(keras.layers.Layer):
    """One step of a gated recurrent unit: ``h_new = cell(x, h)``, x (batch, in), h (batch, units).

    With ``u`` the units, ``kernel`` (in, 3u) and ``recurrent_kernel`` (u, 3u) hold the update
    gate z, the reset gate r and the candidate in that order; ``bias`` (2, 3u) holds one bias
    for the input part and one for the recurrent part:

        z = sigmoid(x W_z + b_z + h U_z + c_z)            update gate: keep old h or take new
        r = sigmoid(x W_r + b_r + h U_r + c_r)            reset gate: how much old h the candidate sees
        n = tanh(x W_n + b_n + r * (h U_n + c_n))         candidate (reset applied after U_n)
        h_new = z * h + (1 - z) * n
    """

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        features, units = input_shape[-1], self.units
        self.kernel = self.add_weight(name="kernel", shape=(features, 3 * units),
                                      initializer="glorot_uniform")
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(units, 3 * units),
                                                initializer="orthogonal")
        self.bias = self.add_weight(name="bias", shape=(2, 3 * units), initializer="zeros")

    def call(self, x, h):
        x_part = tf.matmul(x, self.kernel) + self.bias[0]  # (batch, 3u)
        h_part = tf.matmul(h, self.recurrent_kernel) + self.bias[1]  # (batch, 3u)
        x_z, x_r, x_n = tf.split(x_part, 3, axis=-1)
        h_z, h_r, h_n = tf.split(h_part, 3, axis=-1)
        z = tf.sigmoid(x_z + h_z)
        r = tf.sigmoid(x_r + h_r)
        n = tf.tanh(x_n + r * h_n)
        return z * h + (1.0 - z) * n

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def unroll(cell, inputs, h0=None, reverse: bool = False, mask=None):
    """Run ``cell`` over time: inputs (batch, time, features) -> states (batch, time, units).

    A plain Python loop over the time steps, so the sequence length must be known when the
    function is traced (under ``tf.function`` the loop is unrolled into the graph). ``h0``
    (batch, units) defaults to zeros; with ``reverse`` the sequence is read from the end and the
    states are returned in the original order (for the backward half of a bidirectional RNN).
    ``mask`` (batch, time), True for real steps and False for padding, makes the state pass
    through padded steps unchanged, so the state after the last step is that of the last real
    character whatever the padding.
    """
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank != 3 or inputs.shape[1] is None:
        raise ValueError(f"inputs must be (batch, time, features) with a known time length, got {inputs.shape}")
    if not cell.built:
        cell.build(inputs.shape[:1] + inputs.shape[2:])
    h = tf.zeros([tf.shape(inputs)[0], cell.units], inputs.dtype) if h0 is None else h0
    steps = range(inputs.shape[1])
    states = []
    for t in reversed(steps) if reverse else steps:
        h_new = cell(inputs[:, t], h)  # (batch, units)
        h = h_new if mask is None else tf.where(mask[:, t, None], h_new, h)
        states.append(h)
    if reverse:
        states.reverse()
    return tf.stack(states, axis=1)  # (batch, time, units)
