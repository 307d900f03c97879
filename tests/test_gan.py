"""helpers.gan: the pieces of notebook 08 that notebooks 09 and 12 reuse, in agreement with 08's own."""

import numpy as np
import pytest

from helpers import gan
from tests.notebook_code import definitions


@pytest.fixture(scope="module")
def nb08():
    import keras
    import tensorflow as tf

    names = ["ANGLES", "CENTRES", "SPREAD", "ring", "modes_covered", "discriminator_loss", "generator_loss",
             "dcgan_discriminator"]
    return definitions("08_gan.ipynb", names, {"np": np, "tf": tf, "keras": keras, "L": keras.layers})


def test_the_ring_and_its_mode_count_agree_with_notebook_08(nb08):
    np.testing.assert_array_equal(nb08["CENTRES"], gan.CENTRES)
    assert nb08["SPREAD"] == gan.SPREAD
    a, b = nb08["ring"](500, np.random.default_rng(3)), gan.ring(500, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    collapsed = np.concatenate([a[:100], np.repeat(gan.CENTRES[:3], 50, axis=0)])
    for points in (a, collapsed, a + 1.0):
        assert nb08["modes_covered"](points) == gan.modes_covered(points)
    assert gan.modes_covered(a)[0] == 8 and gan.modes_covered(np.repeat(gan.CENTRES[:3], 50, axis=0))[0] == 3


def test_the_losses_and_the_discriminator_agree_with_notebook_08(nb08):
    import keras

    real, fake = np.linspace(-3, 3, 7).astype("float32"), np.linspace(2, -4, 7).astype("float32")
    assert float(nb08["discriminator_loss"](real, fake)) == pytest.approx(float(gan.discriminator_loss(real, fake)))
    assert float(nb08["generator_loss"](fake)) == pytest.approx(float(gan.generator_loss(fake)))
    images = np.random.default_rng(0).normal(size=(4, 8, 8, 1)).astype("float32")
    keras.utils.set_random_seed(0)
    mine = nb08["dcgan_discriminator"]()
    keras.utils.set_random_seed(0)
    theirs = gan.dcgan_discriminator()
    np.testing.assert_allclose(mine(images).numpy(), theirs(images).numpy(), rtol=1e-6)
    assert [w.shape for w in mine.weights] == [w.shape for w in theirs.weights]


@pytest.mark.parametrize("call, error, message", [
    (lambda: gan.ring(0, np.random.default_rng(0)), ValueError, "n must be"),
    (lambda: gan.ring(10, 0), TypeError, "default_rng"),
    (lambda: gan.modes_covered(np.zeros((5, 3))), ValueError, r"shape \(n, 2\)"),
    (lambda: gan.modes_covered(np.full((5, 2), np.nan)), ValueError, "diverge"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
