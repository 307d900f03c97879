"""The exercise checks of notebook 05: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


def test_gpt_checks_catch_an_off_by_one():
    from helpers import sampling

    assert checks.top_k(sampling.top_k_filter)
    assert not checks.top_k(lambda logits, k: sampling.top_k_filter(logits, k + 1) if k < logits.shape[1] else logits)

    def update(cache, new, position, shift=0):
        out = np.array(cache)
        out[:, :, position + shift] = np.asarray(new)[:, :, 0]
        return out

    assert checks.cache_update(update)
    assert not checks.cache_update(lambda c, n, p: update(c, n, p, shift=-1 if p else 0))
