"""The GAN pieces taught in notebook 08 (``08_gan.ipynb``), reused by notebooks 09 and 12.

- The ring of 8 Gaussians, where mode collapse can be seen and counted: ``ring(n, rng)`` draws
  points (n, 2); ``modes_covered(points)`` counts the modes a sample covers and the share of
  points near some mode. Notebook 09 uses it to show that diffusion covers every mode.
- The non-saturating GAN losses in logits, ``discriminator_loss`` and ``generator_loss``.
- ``dcgan_discriminator()``: notebook 08's convolutional discriminator for 8x8 images.

Notebook 08 defines each of these itself, to teach them; tests/test_gan.py keeps the notebook's
versions and these in agreement.
"""

import numpy as np

ANGLES = np.arange(8) * 2 * np.pi / 8
CENTRES = 2 * np.stack([np.cos(ANGLES), np.sin(ANGLES)], axis=1).astype("float32")  # (8, 2)
SPREAD = 0.05


def ring(n, rng):
    """n points (n, 2) from 8 Gaussians (std 0.05) on a circle of radius 2; ``rng`` a NumPy Generator."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"ring: n must be a whole number of points >= 1, got {n!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"ring: rng must be a NumPy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    return CENTRES[rng.integers(0, 8, n)] + SPREAD * rng.normal(size=(n, 2)).astype("float32")


def modes_covered(points):
    """How many of the 8 modes hold at least a quarter of their fair share (1/32) of the points
    within 3 standard deviations, and the share of points that are that close to some mode."""
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"modes_covered: points must have shape (n, 2) with n >= 1, got {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("modes_covered: points contain NaN or infinity (did the model diverge?)")
    distance = np.linalg.norm(points[:, None] - CENTRES[None], axis=-1)  # (n, 8)
    near = distance.min(axis=1) < 3 * SPREAD
    counts = np.bincount(distance.argmin(axis=1)[near], minlength=8)
    return int(np.sum(counts >= len(points) / 32)), float(near.mean())


def discriminator_loss(real_logits, fake_logits):
    """-E log D(x) - E log(1 - D(G(z))) in logits: softplus(-l) for real, softplus(l) for fake."""
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))


def generator_loss(fake_logits):
    """The non-saturating generator loss -E log D(G(z)) = E softplus(-l)."""
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


def dcgan_discriminator():
    """Notebook 08's discriminator: (n, 8, 8, channels) images -> (n, 1) logits."""
    import keras

    L = keras.layers
    return keras.Sequential([
        L.Conv2D(32, 3, strides=2, padding="same"), L.LeakyReLU(0.2),  # (n, 4, 4, 32)
        L.Conv2D(64, 3, strides=2, padding="same"), L.LeakyReLU(0.2),  # (n, 2, 2, 64)
        L.Flatten(), L.Dense(1)])  # (n, 1) logits
