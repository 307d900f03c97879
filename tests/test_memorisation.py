"""metrics.memorisation tells a generator that copies its training digits from one that does not."""

import numpy as np
import pytest

from helpers import data, metrics, plot


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return data.load("digits", split="train")[0], data.load("digits", split="test")[0]


def test_new_real_digits_are_the_yardstick_and_copies_are_caught(digits):
    train, test = digits
    real = metrics.memorisation(test, train, test)
    assert real["distance_ratio"] == pytest.approx(1.0) and real["near_copy_share"] == pytest.approx(0.05, abs=0.01)
    rng = np.random.default_rng(0)
    copies = np.clip(train[:300] + rng.normal(0, 0.01, train[:300].shape), 0, 1)
    copied = metrics.memorisation(copies, train, test)
    assert copied["distance_ratio"] < 0.2 and copied["near_copy_share"] > 0.9
    assert np.array_equal(copied["nearest"], np.arange(300))


def test_nearest_training_digit_matches_brute_force(digits):
    train, test = digits
    distances, nearest = metrics.nearest_training_digit(test[:50], train)
    brute = np.sqrt(((test[:50, None] - train[None]) ** 2).sum(axis=(2, 3)))
    assert np.array_equal(nearest, brute.argmin(axis=1))
    assert np.allclose(distances, brute.min(axis=1))


def test_the_pictures_draw_and_refuse_bad_input(digits):
    train, test = digits
    distances, nearest = metrics.nearest_training_digit(test[:6], train)
    fig = plot.nearest_neighbours(test[:6], train, nearest, distances)
    assert len(fig.axes) == 12
    with pytest.raises(ValueError, match="nearest index"):
        plot.nearest_neighbours(test[:6], train, nearest[:2])
    fig = plot.diagram({"a": (0, 0, "encoder"), "b": (3, 0, "decoder")}, [("a", "b", "code"), ("b", "b")],
                       groups=[(["a", "b"], "the model")])
    assert fig.axes
    with pytest.raises(ValueError, match="unknown boxes"):
        plot.diagram({"a": (0, 0, "encoder")}, [("a", "z")])
