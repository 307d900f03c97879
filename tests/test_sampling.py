"""helpers.sampling: temperature sampling, greedy decoding and beam search on toy models whose
best outputs can be found by enumeration."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

from helpers import sampling

V, START, END = 5, 0, 1  # a toy vocabulary of 5 tokens: 0 starts, 1 ends


def markov_model(seed, batch=3):
    """A random first-order model per batch row: log p(next | last) from a table (batch, V, V).

    The state is (row index, last token), so beam search must carry and reorder it."""
    rng = np.random.default_rng(seed)
    table = np.log(rng.dirichlet(np.full(V, 0.5), size=(batch, V))).astype(np.float32)
    table[:, :, START] = -np.inf  # START is never generated

    def step(tokens, state):
        rows, _ = state
        log_probs = tf.gather_nd(table, tf.stack([rows, tokens], axis=1))
        return log_probs, (rows, tokens)

    def score(row, tokens):
        """log p of a whole output up to and including its first END (the rest must be END)."""
        total, last, done = 0.0, START, False
        for t in tokens:
            if done:
                assert t == END
                continue
            total += table[row, last, t]
            last, done = t, t == END
        return total

    return step, (tf.range(batch), tf.fill([batch], START)), score, table


def test_sample_follows_the_tempered_softmax():
    logits = np.array([[2.0, 1.0, 0.0, -1.0]])
    rng = np.random.default_rng(0)
    for temperature in (0.5, 1.0, 2.0):
        ids = sampling.sample(np.repeat(logits, 40_000, axis=0), temperature, rng)
        expected = np.exp(logits[0] / temperature) / np.exp(logits[0] / temperature).sum()
        assert np.abs(np.bincount(ids, minlength=4) / len(ids) - expected).max() < 0.01
    assert sampling.sample(np.array([0.0, -np.inf, 5.0]), 1.0, rng).shape == ()
    assert np.all(sampling.sample(np.array([[0.0, -np.inf]] * 100), 1.0, rng) == 0)  # never an impossible token


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan")])
def test_a_temperature_that_is_not_positive_is_refused(temperature):
    with pytest.raises(ValueError, match="temperature must be > 0"):
        sampling.sample(np.zeros(3), temperature)


@pytest.mark.parametrize("seed", range(5))
def test_beam_search_of_width_one_is_greedy_and_scores_are_log_probabilities(seed):
    step, state, score, _ = markov_model(seed)
    greedy_tokens, greedy_scores = sampling.greedy_search(step, state, 3, START, END, max_length=6)
    beam_tokens, beam_scores = sampling.beam_search(step, state, 3, START, END, max_length=6, beam_width=1)
    np.testing.assert_array_equal(greedy_tokens, beam_tokens)
    np.testing.assert_allclose(greedy_scores, beam_scores, rtol=1e-6)
    for row in range(3):
        assert greedy_scores[row] == pytest.approx(score(row, greedy_tokens[row]), rel=1e-5)


@pytest.mark.parametrize("seed", range(5))
def test_a_wide_beam_finds_the_best_output_and_never_loses_to_greedy(seed):
    step, state, score, _ = markov_model(seed)
    length = 4
    _, greedy_scores = sampling.greedy_search(step, state, 3, START, END, max_length=length)
    tokens, scores = sampling.beam_search(step, state, 3, START, END, max_length=length, beam_width=V ** length)
    for row in range(3):
        best = max(score(row, out) for out in itertools.product(range(1, V), repeat=length)
                   if END not in out or all(t == END for t in out[out.index(END):]))
        assert scores[row] == pytest.approx(best, rel=1e-5)
        assert scores[row] == pytest.approx(score(row, tokens[row]), rel=1e-5)
        assert scores[row] >= greedy_scores[row] - 1e-5


def test_beam_search_avoids_a_garden_path():
    """The most likely first token leads nowhere good: greedy takes it, a beam of 2 does not."""
    p = np.full((V, V), 1e-9)
    p[START, 2], p[START, 3] = 0.6, 0.4  # 2 looks better at first...
    p[2, 2:] = 1 / 3  # ...but after 2 everything is uncertain
    p[3, END] = 1.0  # after 3 the output surely ends
    p[END, END] = 1.0
    table = np.log(p / p.sum(1, keepdims=True)).astype(np.float32)

    def step(tokens, state):
        return tf.gather(table, tokens), state

    state = tf.zeros([1, 1])
    greedy, g = sampling.greedy_search(step, state, 1, START, END, max_length=2)
    beam, b = sampling.beam_search(step, state, 1, START, END, max_length=2, beam_width=2)
    assert greedy[0].tolist() == [2, 2] and beam[0].tolist() == [3, END]
    assert b[0] == pytest.approx(np.log(0.4), abs=1e-6) and g[0] < b[0]


def test_outputs_stop_at_end_and_the_length_penalty_can_prefer_longer_outputs():
    p = np.full((V, V), 1e-9)
    p[START, END], p[START, 2] = 0.4, 0.6  # END at once: 0.4; or 2 then 3 then END: 0.6*0.6*1
    p[2, 3], p[2, END] = 0.6, 0.4
    p[3, END] = 1.0
    p[END, END] = 1.0
    table = np.log(p / p.sum(1, keepdims=True)).astype(np.float32)

    def step(tokens, state):
        return tf.gather(table, tokens), state

    state = tf.zeros([1, 1])
    raw, raw_score = sampling.beam_search(step, state, 1, START, END, max_length=4, beam_width=3)
    assert raw[0].tolist() == [END, END, END, END]  # 0.4 beats 0.36
    assert raw_score[0] == pytest.approx(np.log(0.4), abs=1e-5)
    long, long_score = sampling.beam_search(step, state, 1, START, END, max_length=4, beam_width=3,
                                            length_penalty=1.0)
    assert long[0].tolist() == [2, 3, END, END]  # per token: log(0.36)/3 > log(0.4)/1
    assert long_score[0] == pytest.approx(np.log(0.36), abs=1e-5)


@pytest.mark.parametrize("options, message", [
    (dict(beam_width=0), "beam_width"), (dict(beam_width=2.5), "beam_width"),
    (dict(max_length=0), "max_length"), (dict(max_length=2.0001), "max_length"),
])  # fmt: skip
def test_bad_search_settings_are_refused(options, message):
    step, state, _, _ = markov_model(0)
    settings = dict(max_length=3, beam_width=2) | options
    with pytest.raises(ValueError, match=message):
        sampling.beam_search(step, state, 3, START, END, **settings)


def test_top_k_and_top_p_keep_the_right_tokens():
    logits = np.log(np.array([[0.5, 0.2, 0.15, 0.1, 0.05]]))
    assert np.isfinite(sampling.top_k_filter(logits, 2)).tolist() == [[True, True, False, False, False]]
    assert np.isfinite(sampling.top_k_filter(logits, 99)).all()
    assert np.isfinite(sampling.top_p_filter(logits, 0.5)).tolist() == [[True, False, False, False, False]]
    assert np.isfinite(sampling.top_p_filter(logits, 0.6)).tolist() == [[True, True, False, False, False]]
    assert np.isfinite(sampling.top_p_filter(logits, 0.85)).tolist() == [[True, True, True, False, False]]
    assert np.isfinite(sampling.top_p_filter(logits, 1.0)).all()
    shuffled = logits[:, [3, 0, 4, 2, 1]]  # the order of the vocabulary does not matter
    assert np.isfinite(sampling.top_p_filter(shuffled, 0.6)).tolist() == [[False, True, False, False, True]]
    ids = sampling.sample(np.repeat(logits, 20_000, axis=0), 1.0, np.random.default_rng(0), top_k=2)
    np.testing.assert_allclose(np.bincount(ids, minlength=5) / len(ids), [5 / 7, 2 / 7, 0, 0, 0], atol=0.01)
    ids = sampling.sample(np.repeat(logits, 20_000, axis=0), 1.0, np.random.default_rng(0), top_p=0.85)
    np.testing.assert_allclose(np.bincount(ids, minlength=5) / len(ids), [0.5 / 0.85, 0.2 / 0.85, 0.15 / 0.85, 0, 0],
                               atol=0.01)


@pytest.mark.parametrize("options, message", [
    (dict(top_k=0), "top_k"), (dict(top_k=1.5), "top_k"), (dict(top_p=0.0), "top_p"),
    (dict(top_p=1.01), "top_p"), (dict(top_p=-0.2), "top_p"), (dict(temperature=0.0), "temperature"),
])  # fmt: skip
def test_bad_sampling_settings_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        sampling.sample(np.zeros((2, 4)), **({"temperature": 1.0} | options))


# Issue 18: logits no distribution can come from are refused, not sampled as token 0 ---------------


@pytest.mark.parametrize("bad, kind", [
    (np.array([[0.0, np.nan, 1.0]]), "NaN"), (np.array([[0.0, np.inf, 1.0]]), r"\+inf"),
    (np.array([[0.0, 1.0, 2.0], [-np.inf] * 3]), "-inf for every token in row"),
])  # fmt: skip
def test_sample_refuses_logits_of_a_diverged_model(bad, kind):
    with pytest.raises(ValueError, match=f"{kind}.*probably diverged"):
        sampling.sample(bad, 1.0, np.random.default_rng(0))
    for options in (dict(top_k=2), dict(top_p=0.9)):
        with pytest.raises(ValueError, match="probably diverged"):
            sampling.sample(bad, 1.0, np.random.default_rng(0), **options)


def test_sample_keeps_minus_inf_as_a_ruled_out_token():
    ids = sampling.sample(np.array([[-np.inf, -np.inf, 0.0]] * 50), 1.0, np.random.default_rng(0))
    assert np.all(ids == 2)


@pytest.mark.parametrize("options, error, message", [
    (dict(temperature="hot"), TypeError, "temperature must be a number"),
    (dict(rng=0), TypeError, "rng must be a NumPy Generator"),
    (dict(top_k="3"), ValueError, "top_k must be a whole number"),
    (dict(top_p="0.9"), ValueError, "top_p must be in"),
])  # fmt: skip
def test_sample_names_a_wrong_argument(options, error, message):
    with pytest.raises(error, match=message):
        sampling.sample(np.zeros((2, 4)), **({"temperature": 1.0} | options))
    with pytest.raises(ValueError, match="logits must have shape"):
        sampling.sample(np.float64(1.0))


@pytest.mark.parametrize("search", ["greedy", "beam"])
@pytest.mark.parametrize("poison, kind", [(np.nan, "NaN"), (np.inf, r"\+inf"), (-np.inf, "every token")])
def test_searches_refuse_log_probs_of_a_diverged_model(search, poison, kind):
    step, state, _, _ = markov_model(0)

    def diverged(tokens, state):
        log_probs, state = step(tokens, state)
        if poison == -np.inf:
            return tf.fill(tf.shape(log_probs), -np.inf), state
        return tf.tensor_scatter_nd_update(log_probs, [[0, 2]], [poison]), state

    run = sampling.greedy_search if search == "greedy" else sampling.beam_search
    with pytest.raises(ValueError, match=f"{kind}.*probably diverged"):
        run(diverged, state, 3, START, END, 3)


def test_searches_refuse_an_end_id_outside_the_vocabulary():
    step, state, _, _ = markov_model(0)
    with pytest.raises(ValueError, match="end_id 7 is not a token"):
        sampling.greedy_search(step, state, 3, START, 7, 3)
    with pytest.raises(ValueError, match="start_id must be a token id"):
        sampling.beam_search(step, state, 3, -1, END, 3)


# Issue 18, cheap general-rule cases: the filters and the temperature refuse what sample refuses -----


@pytest.mark.parametrize("function", [
    lambda logits: sampling.top_k_filter(logits, 2), lambda logits: sampling.top_p_filter(logits, 0.9),
    lambda logits: sampling.apply_temperature(logits, 0.7),
], ids=["top_k_filter", "top_p_filter", "apply_temperature"])  # fmt: skip
@pytest.mark.parametrize("bad, kind", [
    (np.array([[0.0, np.nan, 1.0]]), "NaN"), (np.array([[0.0, np.inf, 1.0]]), r"\+inf"),
    (np.array([[0.0, 1.0, 2.0], [-np.inf] * 3]), "-inf for every token in row"),
])  # fmt: skip
def test_the_filters_and_the_temperature_refuse_logits_of_a_diverged_model(function, bad, kind):
    with pytest.raises(ValueError, match=f"{kind}.*probably diverged"):
        function(bad)  # were filtered or divided as if nothing were wrong
    good = np.array([[0.0, -np.inf, 1.0, 2.0]])
    assert np.isneginf(function(good)[0, 1]) and np.isfinite(function(good)[0, 3])  # -inf still rules a token out


@pytest.mark.parametrize("temperature", [1e-7, 1e-300, 5e-324])
def test_a_temperature_too_small_to_divide_by_is_refused(temperature):
    logits = np.array([[3.0, 1.0, 2.0]])
    with pytest.raises(ValueError, match=r"temperature must be at least 1e-06.*greedy"):
        sampling.sample(logits, temperature, np.random.default_rng(0))  # 1e-300 overflowed and returned token 0
    with pytest.raises(ValueError, match="temperature must be at least 1e-06"):
        sampling.apply_temperature(logits, temperature)
    assert sampling.sample(logits, 1e-6, np.random.default_rng(0)).tolist() == [0]  # the floor itself works
    with pytest.raises(ValueError, match=r"temperature 0\.001 is too small for these logits.*overflows"):
        sampling.sample(np.array([[1e306, 0.0, -1e306]]), 1e-3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="finite number"):
        sampling.sample(logits, np.inf, np.random.default_rng(0))  # inf - inf gave NaN


@pytest.mark.parametrize("penalty, error", [
    (-1.0, ValueError), (float("nan"), ValueError), (float("inf"), ValueError), ("1", TypeError),
    (True, TypeError), (None, TypeError), ([1.0], TypeError),
])  # fmt: skip
def test_beam_search_checks_the_length_penalty(penalty, error):
    step, state, _, _ = markov_model(0)
    with pytest.raises(error, match="length_penalty must be a"):  # was used as given
        sampling.beam_search(step, state, 3, START, END, 3, beam_width=2, length_penalty=penalty)
    tokens, _ = sampling.beam_search(step, state, 3, START, END, 3, beam_width=2, length_penalty=np.float32(0.5))
    assert tokens.shape == (3, 3)
