"""The exercise checks of notebook 07: the worked solution passes, typical mistakes fail, a stub says "not yet"."""

import numpy as np

from helpers import checks


def iwae_bound(log_weights, k):
    """The worked solution, in TensorFlow: float32 answers must pass."""
    import tensorflow as tf

    log_weights = tf.convert_to_tensor(log_weights)
    groups = tf.reshape(log_weights[: log_weights.shape[0] // k * k], (-1, k, log_weights.shape[1]))
    return tf.reduce_mean(tf.reduce_logsumexp(groups, axis=1) - tf.math.log(tf.cast(k, log_weights.dtype)))


def test_iwae_bound_passes_the_solution_in_numpy_and_tensorflow(capsys):
    from scipy.special import logsumexp

    assert checks.iwae_bound(iwae_bound)
    numpy_answer = lambda lw, k: np.mean(logsumexp(lw.reshape(-1, k, lw.shape[1]), axis=1) - np.log(k))  # noqa: E731
    assert checks.iwae_bound(numpy_answer)
    assert "5/5 cases passed" in capsys.readouterr().out


def test_iwae_bound_catches_typical_mistakes(capsys):
    from scipy.special import logsumexp

    # the sum of the weights instead of their mean: log k too high
    no_mean = checks.iwae_bound(lambda lw, k: np.mean(logsumexp(lw.reshape(-1, k, lw.shape[1]), axis=1)))
    assert not no_mean and no_mean.passed == 1  # k = 1 alone is right
    assert "k = 4, 8 draws of 5 images (2 groups): largest difference" in capsys.readouterr().out
    # log of the mean of exp, computed naively: underflows to -inf on real-sized log-weights
    with np.errstate(divide="ignore"):
        naive = checks.iwae_bound(lambda lw, k: np.mean(np.log(np.mean(np.exp(lw.reshape(-1, k, lw.shape[1])), axis=1))))
    assert not naive and naive.passed == 3
    out = capsys.readouterr().out
    assert "near -150 nats" in out and "got -inf" in out
    # the mean of the log-weights: the ELBO, whatever k
    elbo = checks.iwae_bound(lambda lw, k: np.mean(lw))
    assert not elbo and elbo.passed == 1
    # logsumexp over the images instead of over the k draws
    wrong_axis = checks.iwae_bound(lambda lw, k: np.mean(logsumexp(lw.reshape(-1, k, lw.shape[1]), axis=2) - np.log(k)))
    assert not wrong_axis
    assert "k = 1 (the ELBO estimate)" in capsys.readouterr().out


def kl(mu_q, log_var_q, mu_p, log_var_p):
    import tensorflow as tf

    return 0.5 * tf.reduce_sum(log_var_p - log_var_q + (tf.exp(log_var_q) + (mu_q - mu_p) ** 2) / tf.exp(log_var_p) - 1,
                               axis=-1)


def test_kl_diagonal_gaussians_passes_the_solution_and_catches_mistakes(capsys):
    import tensorflow as tf

    assert checks.kl_diagonal_gaussians(kl)
    capsys.readouterr()
    swapped = checks.kl_diagonal_gaussians(lambda mq, lq, mp, lp: kl(mp, lp, mq, lq))  # KL(p || q)
    assert not swapped and "4 codes of 3 dimensions: largest difference" in capsys.readouterr().out
    # the mean difference not scaled by the prior's variance
    unscaled = checks.kl_diagonal_gaussians(
        lambda mq, lq, mp, lp: 0.5 * tf.reduce_sum(lp - lq + tf.exp(lq) / tf.exp(lp) + (mq - mp) ** 2 - 1, axis=-1))
    assert not unscaled
    out = capsys.readouterr().out
    assert "4 codes of 3 dimensions: largest difference" in out
    assert "the prior N(0, I): the lesson's KL" not in out  # right when the prior is N(0, I)
    # standard deviations where variances belong
    std = checks.kl_diagonal_gaussians(
        lambda mq, lq, mp, lp: 0.5 * tf.reduce_sum(lp - lq + (tf.exp(lq / 2) + (mq - mp) ** 2) / tf.exp(lp / 2) - 1, -1))
    assert not std and "q equal to p: KL 0" not in capsys.readouterr().out
    # averaged over the dimensions instead of summed: fails every case with d > 1
    mean = checks.kl_diagonal_gaussians(lambda *a: kl(*a) / a[0].shape[-1])
    assert not mean and "16 codes of 8 dimensions" in capsys.readouterr().out

