"""The exercise checks of notebook 08: the worked solution passes, typical mistakes fail, a stub says "not yet"."""


from helpers import checks


def test_gan_checks_need_the_input_gradient_and_a_stable_loss():
    import tensorflow as tf

    def penalty(critic, real, fake, eps):
        x = tf.constant(eps * real + (1 - eps) * fake)
        with tf.GradientTape() as tape:
            tape.watch(x)
            score = critic(x)
        grad = tape.gradient(score, x)
        norm = tf.sqrt(tf.reduce_sum(grad**2, axis=list(range(1, len(x.shape)))))
        return tf.reduce_mean((norm - 1) ** 2)

    assert checks.gradient_penalty(penalty, quiet=True)
    assert not checks.gradient_penalty(lambda c, r, f, e: penalty(c, r, f, e) * 10, quiet=True)  # lambda included
    assert checks.generator_loss(lambda logits: tf.reduce_mean(tf.nn.softplus(-logits)), quiet=True)
    naive = checks.generator_loss(lambda logits: -tf.reduce_mean(tf.math.log(tf.sigmoid(logits))), quiet=True)
    assert not naive and naive.passed == 2  # overflows only on the extreme logits
    saturating = checks.generator_loss(lambda logits: -tf.reduce_mean(tf.nn.softplus(logits)), quiet=True)
    assert not saturating
