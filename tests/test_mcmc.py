"""helpers.mcmc: the Metropolis-Hastings sampler, chain diagnostics and the substitution cipher."""

import numpy as np
import pytest

from helpers import mcmc


def normal_walk(scale):
    return lambda x, rng: x + scale * rng.normal(size=x.shape)


def test_metropolis_hastings_samples_a_gaussian_and_keeps_its_trace():
    rng = np.random.default_rng(0)
    chain = mcmc.metropolis_hastings(lambda x: -0.5 * ((x[:, 0] - 2.0) / 0.5) ** 2, np.zeros((20, 1)),
                                     normal_walk(1.0), 4000, rng)
    assert chain.samples.shape == (4000, 20, 1) and chain.log_target.shape == (4001, 20)
    assert chain.accepted.shape == (4000, 20) and np.all((chain.acceptance_rate > 0.2) & (chain.acceptance_rate < 0.6))
    kept = chain.samples[1000:, :, 0]
    assert abs(kept.mean() - 2.0) < 0.03 and abs(kept.std() - 0.5) < 0.03
    # the trace is the log target of the current state
    np.testing.assert_allclose(chain.log_target[1:], -0.5 * ((chain.samples[:, :, 0] - 2.0) / 0.5) ** 2)
    assert np.array_equal(chain.last, chain.samples[-1])


def test_a_hastings_correction_makes_an_asymmetric_proposal_exact():
    # log-normal multiplicative walk on an exponential target: q(x' | x) is proportional to 1/x'
    rng = np.random.default_rng(1)
    propose = lambda x, rng: x * np.exp(0.8 * rng.normal(size=x.shape))  # noqa: E731
    log_p = lambda x: -x[:, 0]  # noqa: E731
    right = mcmc.metropolis_hastings(log_p, np.ones((50, 1)), propose, 3000, rng,
                                     log_hastings=lambda x, y: np.log(y[:, 0] / x[:, 0]))
    wrong = mcmc.metropolis_hastings(log_p, np.ones((50, 1)), propose, 3000, rng)
    assert abs(right.samples[500:].mean() - 1.0) < 0.05
    assert wrong.samples[500:].mean() < 0.7  # without the correction the chain prefers small x


def test_thinning_and_reproducibility():
    a = mcmc.metropolis_hastings(lambda x: -x[:, 0] ** 2, np.zeros((3, 1)), normal_walk(1.0), 100, 5, thin=10)
    b = mcmc.metropolis_hastings(lambda x: -x[:, 0] ** 2, np.zeros((3, 1)), normal_walk(1.0), 100, 5, thin=10)
    assert a.samples.shape == (10, 3, 1) and np.array_equal(a.samples, b.samples)
    assert a.log_target.shape == (101, 3)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(propose=lambda x, rng: x[:, :1]), "the proposal has shape (4, 1), but the states have shape (4, 2)"),
    (dict(log_target=lambda x: x), "log_target must return one value per chain (4,)"),
    (dict(log_target=lambda x: np.full(len(x), -np.inf)), "zero target probability"),
    (dict(steps=0), "steps must be a positive integer"),
    (dict(thin=0), "thin must be a positive integer"),
    (dict(thin=6), "thin must be at most steps (5)"),
    (dict(x0=np.zeros(0)), "one state per chain"),
    (dict(log_hastings=lambda x, y: 0.0), "log_hastings must return one value per chain"),
])
def test_metropolis_hastings_refuses_bad_input(kwargs, message):
    args = dict(log_target=lambda x: -np.sum(x**2, axis=1), x0=np.zeros((4, 2)), propose=normal_walk(1.0),
                steps=5, rng=0) | kwargs
    with pytest.raises(ValueError) as error:
        mcmc.metropolis_hastings(**args)
    assert message in str(error.value)


def test_autocorrelation_and_effective_sample_size():
    rng = np.random.default_rng(2)
    white = rng.normal(size=20_000)
    assert mcmc.autocorrelation(white, 3)[0] == pytest.approx(1.0)
    assert np.all(np.abs(mcmc.autocorrelation(white, 5)[1:]) < 0.03)
    assert 0.8 * len(white) < mcmc.effective_sample_size(white) < 1.2 * len(white)
    # an AR(1) chain with coefficient phi has ESS about n (1 - phi) / (1 + phi)
    phi, x = 0.9, np.zeros(50_000)
    for t in range(1, len(x)):
        x[t] = phi * x[t - 1] + rng.normal()
    assert mcmc.autocorrelation(x, 1)[1] == pytest.approx(phi, abs=0.02)
    assert mcmc.effective_sample_size(x) == pytest.approx(len(x) * (1 - phi) / (1 + phi), rel=0.25)
    with pytest.raises(ValueError, match="constant"):
        mcmc.autocorrelation(np.ones(10))
    with pytest.raises(ValueError, match="1-D trace"):
        mcmc.autocorrelation(np.ones((3, 3)))
    with pytest.raises(ValueError, match="max_lag must be 0 or more, got -3"):
        mcmc.autocorrelation(white, -3)
    assert len(mcmc.autocorrelation(white, 0)) == 1


def test_letters_and_bigrams():
    ids = mcmc.letters("To be, or NOT to be!\n")
    assert mcmc.to_text(ids) == "to be or not to be "
    counts = mcmc.bigram_counts(ids)
    assert counts.shape == (27, 27) and counts.sum() == len(ids) - 1
    assert counts[mcmc.ALPHABET.index("t"), mcmc.ALPHABET.index("o")] == 2
    log_probs = mcmc.bigram_log_probs(ids)
    np.testing.assert_allclose(np.exp(log_probs).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="smoothing must be positive"):
        mcmc.bigram_log_probs(ids, smoothing=0)
    np.testing.assert_allclose(mcmc.bigram_log_probs(ids, smoothing=np.float32(0.5)), mcmc.bigram_log_probs(ids, 0.5))
    with pytest.raises(ValueError, match="ids must lie in 0..26"):
        mcmc.bigram_counts(np.array([0, 27]))


@pytest.mark.parametrize(("smoothing", "message"), [
    (-1.0, "smoothing must be positive and finite (a zero probability would make keys impossible), got -1.0"),
    (float("nan"), "smoothing must be positive and finite (a zero probability would make keys impossible), got nan"),
    (np.inf, "smoothing must be positive and finite"),
    ("1", "smoothing must be a positive number (a pseudo-count added to every bigram), got '1' of type str"),
    (None, "smoothing must be a positive number (a pseudo-count added to every bigram), got None of type NoneType"),
    (True, "got True of type bool"),
    (np.ones(3), "of type ndarray"),
])
def test_bigram_log_probs_refuses_bad_smoothing(smoothing, message):
    with pytest.raises(ValueError) as error:
        mcmc.bigram_log_probs(mcmc.letters("to be or not to be"), smoothing=smoothing)
    assert message in str(error.value)
    with pytest.raises(ValueError, match="ids must lie in 0..26"):
        mcmc.bigram_counts(np.array([0, 27]))


def test_keys_substitute_and_invert():
    rng = np.random.default_rng(3)
    key = mcmc.random_key(rng)
    plain = mcmc.letters("the quick brown fox jumps over the lazy dog")
    cipher = mcmc.substitute(plain, key)
    assert np.array_equal(cipher == 0, plain == 0)  # spaces stay
    assert np.array_equal(mcmc.substitute(cipher, mcmc.invert_key(key)), plain)


@pytest.mark.parametrize(("key", "message"), [
    (np.arange(25), "shape (26,)"),
    (np.r_[np.arange(25), 0], "permutation of 0..25"),
    (np.arange(26.0), "integer letter ids"),
])
def test_a_key_that_is_not_a_permutation_is_refused(key, message):
    for use in (mcmc.check_key, mcmc.invert_key, lambda k: mcmc.substitute(np.array([1, 2]), k)):
        with pytest.raises(ValueError) as error:
            use(key)
        assert message in str(error.value)


def test_plausibility_from_counts_equals_scoring_the_deciphered_text():
    rng = np.random.default_rng(4)
    log_probs = mcmc.bigram_log_probs(mcmc.letters("a man a plan a canal panama and some more words " * 5))
    cipher = rng.integers(0, 27, 300)
    counts = mcmc.bigram_counts(cipher)
    keys = np.stack([mcmc.random_key(rng) for _ in range(6)]).reshape(2, 3, 26)
    scores = mcmc.plausibility(keys, counts, log_probs)
    assert scores.shape == (2, 3)
    for key, score in zip(keys.reshape(-1, 26), scores.ravel()):
        plain = mcmc.substitute(cipher, key)
        assert score == pytest.approx(log_probs[plain[:-1], plain[1:]].sum())
    bad = keys.reshape(-1, 26).copy()
    bad[4, 0] = bad[4, 1]
    with pytest.raises(ValueError, match="permutation"):
        mcmc.plausibility(bad, counts, log_probs)
    with pytest.raises(ValueError, match=r"counts must be \(27, 27\)"):
        mcmc.plausibility(keys, counts[:26], log_probs)


def test_swap_letters_swaps_exactly_two_letters():
    rng = np.random.default_rng(5)
    keys = np.stack([mcmc.random_key(rng) for _ in range(200)])
    new = mcmc.swap_letters(keys, rng)
    assert np.all((new != keys).sum(axis=1) == 2)
    assert np.all(np.sort(new, axis=1) == np.arange(26))
    with pytest.raises(ValueError, match=r"\(chains, 26\)"):
        mcmc.swap_letters(keys[0], rng)
    with pytest.raises(ValueError, match=r"\(chains, 26\), got None"):
        mcmc.swap_letters(None, rng)
    # rng may be a seed or None, like the other functions
    assert np.array_equal(mcmc.swap_letters(keys, 7), mcmc.swap_letters(keys, np.random.default_rng(7)))
    assert np.all((mcmc.swap_letters(keys, None) != keys).sum(axis=1) == 2)


def test_swap_letters_refuses_keys_that_are_not_permutations():
    rng = np.random.default_rng(8)
    keys = np.stack([mcmc.random_key(rng) for _ in range(4)])
    repeated = keys.copy()
    repeated[2, 5] = repeated[2, 6]  # letter repeated[2, 6] twice, the old repeated[2, 5] never
    missing = keys[2, 5]
    with pytest.raises(ValueError) as error:
        mcmc.swap_letters(repeated, rng)
    assert str(error.value) == (f"keys[2] is not a key: a key must be a permutation of 0..25 (each letter used once); "
                                f"letters never used: [{missing}]")
    out_of_range = keys.copy()
    out_of_range[0, out_of_range[0] == 25] = 26
    with pytest.raises(ValueError, match=r"keys\[0\] is not a key: .*letters never used: \[25\]"):
        mcmc.swap_letters(out_of_range, rng)
    with pytest.raises(ValueError, match="keys must hold integer letter ids 0..25 .* got dtype float64"):
        mcmc.swap_letters(keys.astype(float), rng)
    # the same check names the bad key in plausibility, also for a single key
    counts = log_probs = np.zeros((27, 27))
    with pytest.raises(ValueError, match=r"^keys\[2\] is not a key: a key must be a permutation"):
        mcmc.plausibility(repeated, counts, log_probs)
    with pytest.raises(ValueError, match=r"^keys is not a key: a key must be a permutation"):
        mcmc.plausibility(repeated[2], counts, log_probs)


def test_letters_needs_a_string():
    with pytest.raises(TypeError, match="letters needs a string, got NoneType"):
        mcmc.letters(None)


def test_the_chain_breaks_a_cipher():
    rng = np.random.default_rng(6)
    english = ("it was the best of times it was the worst of times it was the age of wisdom it was the age "
               "of foolishness it was the epoch of belief it was the epoch of incredulity it was the season "
               "of light it was the season of darkness it was the spring of hope it was the winter of despair ")
    log_probs = mcmc.bigram_log_probs(mcmc.letters(english * 3))
    plain = mcmc.letters(english)
    cipher = mcmc.substitute(plain, mcmc.random_key(rng))
    counts = mcmc.bigram_counts(cipher)
    chain = mcmc.metropolis_hastings(lambda k: mcmc.plausibility(k, counts, log_probs),
                                     np.stack([mcmc.random_key(rng) for _ in range(8)]), mcmc.swap_letters,
                                     3000, rng, thin=100)
    best = chain.last[np.argmax(chain.log_target[-1])]
    assert np.mean(mcmc.substitute(cipher, best) == plain) > 0.95
