"""helpers.checks._core: the shared machinery of every exercise check (notebook checks are tested in
tests/test_checks_nNN.py)."""

import numpy as np
import pytest

from helpers import checks


def _reference(x):
    return np.cumsum(x, axis=-1)


def _check(function, quiet=False):
    cases = [(f"{n} values", (np.arange(n, dtype=float),), _reference(np.arange(n, dtype=float))) for n in (1, 4, 9)]
    return checks.run("cumulative_sum", function, cases, quiet=quiet)


def test_a_right_answer_passes_and_says_so(capsys):
    result = _check(lambda x: np.cumsum(x, axis=-1))
    assert result and result.passed == result.total == 3
    assert "3/3 cases passed ✓" in capsys.readouterr().out


def test_a_wrong_answer_fails_and_says_where_and_by_how_much(capsys):
    result = _check(lambda x: np.cumsum(x, axis=-1) - x)  # exclusive instead of inclusive
    assert not result and 0 < result.passed < result.total
    out = capsys.readouterr().out
    assert "4 values: largest difference 3 at index (3,)" in out and "expected" in out


def test_a_stub_says_not_yet_and_does_not_raise(capsys):
    def stub(x):
        raise NotImplementedError  # your code here

    result = _check(stub)
    assert not result and result.stub
    assert capsys.readouterr().out.startswith("cumulative_sum: not yet")


def test_crashes_and_wrong_shapes_are_reported_not_raised(capsys):
    assert not _check(lambda x: x[99])
    assert "raised IndexError" in capsys.readouterr().out
    assert not _check(lambda x: np.ones(3))
    assert "shape (3,), expected (1,)" in capsys.readouterr().out


# Issue 18: tolerances follow the answer's dtype; non-finite entries match exactly; answers that
# are not arrays are named --------------------------------------------------------------------


def _split_heads(x, heads):
    b, t, d = x.shape
    return x.reshape(b, t, heads, d // heads).transpose(0, 2, 1, 3)


def _top_k(logits, k):
    kth = np.sort(logits, axis=-1)[..., -k, None]
    return np.where(logits >= kth, logits, -np.inf)


def _add_k(counts, k):
    smoothed = counts + k
    return smoothed / smoothed.sum(axis=-1, keepdims=True)


def _cases(kind):
    rng = np.random.default_rng(0)
    if kind == "split_heads":
        return [("8 heads of 16", (rng.normal(size=(3, 7, 128)), 8), None)]
    if kind == "top_k":
        return [(f"k={k}", (rng.normal(size=(4, 65)) * 3, k), None) for k in (1, 10)]
    return [(f"k={k}", (rng.integers(0, 5, size=(6, 6)), k), None) for k in (1.0, 0.01)]


@pytest.mark.parametrize("kind, reference", [("split_heads", _split_heads), ("top_k", _top_k), ("add_k", _add_k)])
def test_a_correct_float32_answer_passes(kind, reference, capsys):
    """As TensorFlow or keras.ops compute it: in float32 (these failed with 'largest difference
    7.31e-08 ... got -2.20351, expected -2.20351')."""
    import tensorflow as tf

    cases = [(d, args, reference(*args)) for d, args, _ in _cases(kind)]
    if kind == "split_heads":
        def answer(x, heads):
            x = tf.constant(x, tf.float32)
            b, t, d = x.shape
            return tf.transpose(tf.reshape(x, (b, t, heads, d // heads)), (0, 2, 1, 3))
    elif kind == "top_k":
        def answer(logits, k):
            logits = tf.constant(logits, tf.float32)
            kth = tf.math.top_k(logits, k).values[..., -1:]
            return tf.where(logits >= kth, logits, -np.inf)
    else:
        def answer(counts, k):
            smoothed = tf.cast(counts, tf.float32) + k
            return smoothed / tf.reduce_sum(smoothed, axis=-1, keepdims=True)
    assert checks.run(kind, answer, cases), capsys.readouterr().out
    # a float32 answer that is wrong by more than rounding still fails
    assert not checks.run(kind, lambda *args: np.asarray(answer(*args)) * (1 + 1e-4), cases, quiet=True)


@pytest.mark.parametrize("fill", [np.nan, np.inf, -1e9])
def test_non_finite_entries_must_match_exactly(fill, capsys):
    cases = [(d, args, _top_k(*args)) for d, args, _ in _cases("top_k")]

    def wrong_fill(logits, k):
        kth = np.sort(logits, axis=-1)[..., -k, None]
        return np.where(logits >= kth, logits, fill)

    assert not checks.run("top_k", wrong_fill, cases)  # NaN and +inf used to pass
    out = capsys.readouterr().out
    assert "k=1: has inf or nan where the answer does not" in out and "must match exactly" in out
    assert checks.compare_arrays([np.nan, np.inf, -np.inf, 1.0], [np.nan, np.inf, -np.inf, 1.0]) is None
    assert "got -inf, expected inf" in checks.compare_arrays([-np.inf], [np.inf])
    assert "got nan, expected -inf" in checks.compare_arrays([np.nan], [-np.inf])


@pytest.mark.parametrize("answer, message", [
    (None, "returned None, expected an array of shape (4,)"),
    ("[0, 1, 3, 6]", "returned a str ('[0, 1, 3, 6]'), expected an array of shape (4,)"),
    (6.0, "returned a single number (a float), expected an array of shape (4,)"),
    ([[1, 2], [3]], "not a rectangular array"),
    ({"a": 1}, "returned a dict, expected an array"),
])  # fmt: skip
def test_an_answer_that_is_not_an_array_is_named(answer, message, capsys):
    result = _check(lambda x: answer)
    assert not result
    out = capsys.readouterr().out
    assert message in out and "TypeError" not in out


def test_close_names_an_answer_that_is_not_a_number(capsys):
    cases = [("the mean", (np.arange(4.0),), 1.5)]
    assert not checks.run("mean", lambda x: None, cases, compare=checks.close(1e-9))
    assert "returned None, expected a number" in capsys.readouterr().out
    assert not checks.run("mean", lambda x: x, cases, compare=checks.close(1e-9))
    assert "returned a ndarray of shape (4,), expected a number" in capsys.readouterr().out
    assert checks.run("mean", lambda x: np.float32(x.mean()), cases, compare=checks.close(1e-6), quiet=True)


def test_tight_tolerances_still_catch_small_float64_errors():
    expected = np.linspace(-3, 3, 7)
    assert checks.compare_arrays(expected + 1e-9, expected, atol=1e-10) is not None
    assert checks.compare_arrays(expected.astype(np.float32), expected, atol=1e-10) is None
    assert "got 1.00000001, expected 1" in checks.compare_arrays([1.00000001], [1.0], atol=1e-10)


def test_with_hints_names_the_mistake_an_answer_matches(capsys):
    compare = checks.with_hints(checks.compare_arrays)
    cases = [("three values", (np.arange(3.0),), (np.cumsum(np.arange(3.0)), {"exclusive sum: add x itself": np.array([0.0, 0.0, 1.0])}))]
    assert not checks.run("cumsum", lambda x: np.cumsum(x) - x, cases, compare=compare)
    assert "exclusive sum: add x itself" in capsys.readouterr().out
    assert not checks.run("cumsum", lambda x: x, cases, compare=compare)
    assert "exclusive" not in capsys.readouterr().out


NOTEBOOK_CHECKS = [name for module in (checks.n00, checks.n01, checks.n02, checks.n03, checks.n04, checks.n05,
                                       checks.n06, checks.n07, checks.n08, checks.n09, checks.n10, checks.n11,
                                       checks.n12) for name in module.__all__]


@pytest.mark.parametrize("name", NOTEBOOK_CHECKS)
def test_every_exercise_check_says_not_yet_on_a_stub_and_does_not_raise(name, capsys):
    def stub(*args, **kwargs):
        raise NotImplementedError  # your code here

    result = getattr(checks, name)(stub)
    assert not result and result.stub
    assert capsys.readouterr().out.startswith(f"{name}: not yet")


def test_no_two_notebooks_export_a_checker_of_the_same_name():
    # the package re-exports every module's names: a clash would silently check the wrong exercise
    repeated = sorted({name for name in NOTEBOOK_CHECKS if NOTEBOOK_CHECKS.count(name) > 1})
    assert not repeated, f"checker names exported by two notebooks' modules: {repeated}"
