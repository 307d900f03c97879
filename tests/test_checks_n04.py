"""The exercise checks of notebook 04: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


def test_transformer_checks_accept_right_answers_and_catch_transposed_ones():
    assert checks.causal_mask(lambda n: np.tril(np.ones((n, n), bool)))
    assert not checks.causal_mask(lambda n: np.triu(np.ones((n, n), bool)))
    assert not checks.causal_mask(lambda n: np.tril(np.ones((n, n))))  # not booleans

    def split(x, heads):
        b, t, m = x.shape
        return x.reshape(b, t, heads, m // heads).transpose(0, 2, 1, 3)

    assert checks.split_heads(split)
    assert not checks.split_heads(lambda x, heads: x.reshape(x.shape[0], heads, x.shape[1], -1))
    assert checks.merge_heads(lambda x: x.transpose(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1))
    assert not checks.merge_heads(lambda x: x.reshape(x.shape[0], x.shape[2], -1))
