"""The exercise checks of notebook 08: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


def hinge_losses(real_logits, fake_logits):
    import tensorflow as tf

    d_loss = tf.reduce_mean(tf.nn.relu(1 - real_logits)) + tf.reduce_mean(tf.nn.relu(1 + fake_logits))
    return d_loss, -tf.reduce_mean(fake_logits)


def test_hinge_losses_passes_the_solution_and_catches_mistakes(capsys):
    import tensorflow as tf

    assert checks.hinge_losses(hinge_losses)
    capsys.readouterr()
    # both margins with the same sign: relu(1 - l) for the fakes too
    same_sign = checks.hinge_losses(
        lambda r, f: (tf.reduce_mean(tf.nn.relu(1 - r)) + tf.reduce_mean(tf.nn.relu(1 - f)), -tf.reduce_mean(f)))
    assert not same_sign and same_sign.passed == 0
    assert "d_loss: largest difference" in capsys.readouterr().out
    # no relu: the Wasserstein critic loss, right only while every logit is inside the margins
    linear = checks.hinge_losses(lambda r, f: (tf.reduce_mean(1 - r) + tf.reduce_mean(1 + f), -tf.reduce_mean(f)))
    assert not linear and linear.passed == 1
    assert "a confident discriminator" in capsys.readouterr().out
    # the generator also with a hinge: relu(1 - l_fake)
    g_hinge = checks.hinge_losses(lambda r, f: (hinge_losses(r, f)[0], tf.reduce_mean(tf.nn.relu(1 - f))))
    assert not g_hinge and "g_loss: largest difference" in capsys.readouterr().out
    # not averaged over the batch
    per_sample = checks.hinge_losses(lambda r, f: (tf.nn.relu(1 - r) + tf.nn.relu(1 + f), -f))
    assert not per_sample and "return one number" in capsys.readouterr().out


def spectral_norm(kernel, v, steps):
    import tensorflow as tf

    w = tf.reshape(tf.convert_to_tensor(kernel), (-1, kernel.shape[-1]))  # (in, out)
    v = tf.convert_to_tensor(v, w.dtype)
    for _ in range(steps):
        u = tf.linalg.matvec(w, v)
        u /= tf.norm(u)
        v = tf.linalg.matvec(w, u, transpose_a=True)
        v /= tf.norm(v)
    return tf.norm(tf.linalg.matvec(w, v))


def test_spectral_norm_passes_the_solution_and_catches_mistakes(capsys):
    assert checks.spectral_norm(spectral_norm)
    assert "4/4 cases passed" in capsys.readouterr().out

    def numpy_power(kernel, v, steps, reshape=lambda k: k.reshape(-1, k.shape[-1]), square=False):
        w = reshape(np.asarray(kernel, np.float64))
        for _ in range(steps):
            u = w @ v / np.linalg.norm(w @ v)
            v = w.T @ u / np.linalg.norm(w.T @ u)
        return np.linalg.norm(w @ v) ** (2 if square else 1)

    assert checks.spectral_norm(numpy_power)
    capsys.readouterr()
    # the convolution kernel flattened the wrong way round: (out, -1) mixes its entries
    transposed = checks.spectral_norm(lambda k, v, s: numpy_power(
        k, v, s, reshape=lambda k: k.reshape(k.shape[-1], -1).T if k.ndim > 2 else k))
    assert not transposed and transposed.passed == 3
    assert "a Conv2D kernel (3, 3, 4, 6), float32, 200 steps" in capsys.readouterr().out
    # the eigenvalue of W^T W: sigma squared
    squared = checks.spectral_norm(lambda k, v, s: numpy_power(k, v, s, square=True))
    assert not squared and squared.passed == 0
    # the Frobenius norm, a loose upper bound
    frobenius = checks.spectral_norm(lambda k, v, s: np.linalg.norm(k))
    assert not frobenius and "compared with np.linalg.svd" in capsys.readouterr().out
    # the svd itself, not power iteration: right after many steps, not after one
    svd = checks.spectral_norm(lambda k, v, s: np.linalg.svd(k.reshape(-1, k.shape[-1]), compute_uv=False)[0])
    assert not svd and svd.passed == 3
    assert "a single step from the given v" in capsys.readouterr().out

