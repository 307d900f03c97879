"""helpers.hmm against hmmlearn's CategoricalHMM on random models with some zeros."""

import numpy as np
import pytest
from hmmlearn.hmm import CategoricalHMM

from helpers import hmm

CASES = [(2, 3, 200), (4, 27, 5_000), (8, 5, 20_000), (20, 10, 100_000)]  # states, symbols, length


def sparse_model(k, m, seed):
    """A random model in which about a third of transitions and emissions are impossible."""
    rng = np.random.default_rng(seed)
    start, trans, emit = hmm.random_model(k, m, seed)
    trans = trans * (rng.random(trans.shape) > 0.3)
    emit = emit * (rng.random(emit.shape) > 0.3)
    trans[:, 0] += 0.01  # keep every row a distribution
    emit[:, 0] += 0.01
    return start, trans / trans.sum(1, keepdims=True), emit / emit.sum(1, keepdims=True)


def reference(start, trans, emit, **options):
    model = CategoricalHMM(n_components=len(start), n_features=emit.shape[1], init_params="", **options)
    model.startprob_, model.transmat_, model.emissionprob_ = start, trans, emit
    return model


@pytest.mark.parametrize("k, m, length", CASES)
def test_inference_matches_hmmlearn(k, m, length):
    model = sparse_model(k, m, seed=k)
    _, obs = hmm.sample(*model, length, seed=1)
    ref = reference(*model)
    assert hmm.log_likelihood(*model, obs) == pytest.approx(ref.score(obs[:, None]), rel=1e-9)
    np.testing.assert_allclose(hmm.posteriors(*model, obs), ref.predict_proba(obs[:, None]), atol=1e-8)
    path, log_prob = hmm.viterbi(*model, obs)
    ref_log_prob, _ = ref.decode(obs[:, None], algorithm="viterbi")
    assert log_prob == pytest.approx(ref_log_prob, rel=1e-9)
    # the path is a best one: scoring it independently gives the same log probability
    start, trans, emit = model
    with np.errstate(divide="ignore"):
        joint = np.log(start[path[0]]) + np.log(trans[path[:-1], path[1:]]).sum() + np.log(emit[path, obs]).sum()
    assert joint == pytest.approx(log_prob, rel=1e-9)


@pytest.mark.parametrize("k, m, length", CASES[:3])
def test_one_em_step_matches_hmmlearn(k, m, length):
    model = sparse_model(k, m, seed=k + 100)
    rng = np.random.default_rng(k)
    sequences = [hmm.sample(*model, int(n), seed=i)[1] for i, n in enumerate(rng.integers(1, length // 10, size=40))]
    init = hmm.random_model(k, m, seed=7)
    start, trans, emit, history = hmm.baum_welch(sequences, k, m, n_iter=1, init=init)
    ref = reference(*init, n_iter=1, params="ste", tol=-np.inf)
    ref.fit(np.concatenate(sequences)[:, None], [len(s) for s in sequences])
    np.testing.assert_allclose(start, ref.startprob_, atol=1e-8)
    np.testing.assert_allclose(trans, ref.transmat_, atol=1e-8)
    np.testing.assert_allclose(emit, ref.emissionprob_, atol=1e-8)
    assert history[0] == pytest.approx(ref.monitor_.history[0], rel=1e-9)


def test_em_never_decreases_the_likelihood():
    truth = sparse_model(3, 6, seed=5)
    sequences = [hmm.sample(*truth, 50, seed=i)[1] for i in range(60)]
    *_, history = hmm.baum_welch(sequences, 3, 6, n_iter=30, seed=0)
    assert np.all(np.diff(history) >= -1e-8 * np.abs(history[:-1]))
    assert history[-1] > history[0] + 10


def test_sample_follows_the_model():
    start = np.array([1.0, 0.0])
    trans = np.array([[0.9, 0.1], [0.2, 0.8]])
    emit = np.array([[0.5, 0.5, 0.0], [0.0, 0.1, 0.9]])
    states, obs = hmm.sample(start, trans, emit, 50_000, seed=0)
    assert states[0] == 0 and not np.any((states == 0) & (obs == 2)) and not np.any((states == 1) & (obs == 0))
    assert np.mean(states) == pytest.approx(1 / 3, abs=0.03)  # stationary share of state 1
    assert np.mean(obs[states == 1] == 2) == pytest.approx(0.9, abs=0.01)


def test_impossible_sequence():
    start, trans, emit = np.array([1.0, 0.0]), np.eye(2), np.array([[1.0, 0.0], [0.0, 1.0]])
    assert hmm.log_likelihood(start, trans, emit, np.array([0, 1])) == -np.inf
    with pytest.raises(ValueError, match="probability zero"):
        hmm.posteriors(start, trans, emit, np.array([0, 1]))


@pytest.mark.parametrize("change, message", [
    (lambda s, t, e, o: (s * 2, t, e, o), "start must sum to 1"),
    (lambda s, t, e, o: (s, np.array([[1.1, -0.1], [0.1, 0.9]]), e, o), "trans has negative"),
    (lambda s, t, e, o: (s, t[:1], e, o), "shapes do not agree"),
    (lambda s, t, e, o: (s, t, e[:, :2] / e[:, :2].sum(1, keepdims=True), o), "obs has symbols outside"),
    (lambda s, t, e, o: (s, t, e, o[:0]), "obs must be a non-empty"),
    (lambda s, t, e, o: (s, t, e, o.astype(float)), "integer symbols"),
    (lambda s, t, e, o: (s, t, e, o - 1), "symbols outside"),
])
def test_invalid_input_names_the_argument(change, message):
    start, trans, emit = np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.1, 0.9]]), np.full((2, 3), 1 / 3)
    obs = np.array([0, 1, 2])
    for function in (hmm.log_likelihood, hmm.posteriors, hmm.viterbi):
        with pytest.raises(ValueError, match=message):
            function(*change(start, trans, emit, obs))


def test_baum_welch_checks_its_input():
    with pytest.raises(ValueError, match="sequences is empty"):
        hmm.baum_welch([], 2, 3, n_iter=1)
    with pytest.raises(ValueError, match=r"sequences\[1\] has symbols outside"):
        hmm.baum_welch([np.array([0, 1]), np.array([3])], 2, 3, n_iter=1)
    with pytest.raises(ValueError, match="init has 2 states"):
        hmm.baum_welch([np.array([0, 1])], 3, 3, n_iter=1, init=hmm.random_model(2, 3, seed=0))


# Issue 18: clear errors instead of NumPy's or an all-zero model -----------------------------------


def test_baum_welch_takes_a_2d_array_of_equal_length_sequences():
    start, trans, emit = hmm.random_model(2, 3, seed=1)
    batch = np.stack([hmm.sample(start, trans, emit, 20, seed=s)[1] for s in range(5)])  # (5, 20)
    from_array = hmm.baum_welch(batch, 2, 3, n_iter=3)  # was "truth value ... is ambiguous"
    from_list = hmm.baum_welch(list(batch), 2, 3, n_iter=3)
    for a, b in zip(from_array, from_list):
        np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError, match=r"one 1-D array of shape \(20,\); for a single sequence write \[obs\]"):
        hmm.baum_welch(batch[0], 2, 3, n_iter=3)
    with pytest.raises(ValueError, match="sequences is empty"):
        hmm.baum_welch(np.zeros((0, 4), int), 2, 3, n_iter=3)
    with pytest.raises(ValueError, match="n_iter must be a whole number >= 0"):
        hmm.baum_welch(batch, 2, 3, n_iter=-1)
    with pytest.raises(TypeError, match="sequences must be a list"):
        hmm.baum_welch(5, 2, 3, n_iter=1)


@pytest.mark.parametrize("concentration", [0, -1.0, float("nan"), float("inf"), "1"])
def test_random_model_needs_a_positive_concentration(concentration):
    with pytest.raises(ValueError, match="concentration must be a number > 0"):
        hmm.random_model(3, 4, seed=0, concentration=concentration)  # 0 was an all-zero model


def test_random_model_and_sample_name_a_wrong_size():
    with pytest.raises(ValueError, match="n_states must be a whole number >= 1"):
        hmm.random_model(0, 4, seed=0)
    with pytest.raises(ValueError, match="length must be a whole number >= 1"):
        hmm.sample(*hmm.random_model(2, 2, seed=0), length=2.5, seed=0)
