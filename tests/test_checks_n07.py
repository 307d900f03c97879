"""The exercise checks of notebook 07: the worked solution passes, typical mistakes fail, a stub says "not yet"."""


from helpers import checks


def test_vae_checks_accept_tensorflow_answers_and_catch_common_slips():
    import tensorflow as tf

    assert checks.reparameterise(lambda mu, log_var, eps: mu + tf.exp(0.5 * log_var) * eps, quiet=True)
    assert not checks.reparameterise(lambda mu, log_var, eps: mu + tf.exp(log_var) * eps, quiet=True)  # variance, not sigma
    kl = lambda mu, log_var: 0.5 * tf.reduce_sum(tf.exp(log_var) + mu**2 - 1 - log_var, axis=-1)  # noqa: E731
    assert checks.gaussian_kl(kl, quiet=True)
    assert not checks.gaussian_kl(lambda mu, log_var: tf.reduce_mean(kl(mu, log_var)), quiet=True)  # not per code
