"""The image yardstick (helpers.metrics.digits_fid, class_coverage) and the shapes data set."""

import numpy as np
import pytest

from helpers import data, metrics


@pytest.fixture(scope="module")
def digits():
    return data.load("digits", split="train"), data.load("digits", split="test")


def test_the_classifier_is_accurate_and_trained_deterministically(digits):
    _, (x_test, y_test) = digits
    accuracy = np.mean(metrics.classify_digits(x_test) == y_test)
    assert accuracy >= 0.95, f"digits classifier test accuracy {accuracy:.3f}"
    first, second = metrics._train_classifier(), metrics._train_classifier()
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_digits_fid_is_calibrated(digits):
    """Real digits score low; blurred, shuffled and random images score higher and higher."""
    from scipy.ndimage import gaussian_filter

    (x_train, _), (x_test, _) = digits
    rng = np.random.default_rng(0)
    scores = {
        "real": metrics.digits_fid(x_train),
        "blurred a little": metrics.digits_fid(np.stack([gaussian_filter(x, 0.5) for x in x_train])),
        "blurred": metrics.digits_fid(np.stack([gaussian_filter(x, 1.0) for x in x_train])),
        "shuffled pixels": metrics.digits_fid(np.stack([rng.permutation(x.ravel()).reshape(8, 8) for x in x_train])),
        "noise": metrics.digits_fid(rng.random((len(x_train), 8, 8))),
    }
    values = list(scores.values())
    assert values == sorted(values), scores
    assert scores["real"] < 3 and scores["blurred"] > 10 * scores["real"], scores
    assert metrics.digits_fid(x_test, reference="train") == pytest.approx(scores["real"], rel=1e-6)


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(0, 1, (20_000, 3))
    b = rng.normal(2, 3, (20_000, 3))  # |mu|^2 = 12, tr = 3 + 27 - 2 * 3 * 3 = 12
    assert metrics.frechet_distance(a, b) == pytest.approx(24, rel=0.05)
    assert metrics.frechet_distance(a, a) == pytest.approx(0, abs=1e-6)


def test_class_coverage_of_real_and_single_class_images(digits):
    (x_train, y_train), _ = digits
    coverage = metrics.class_coverage(x_train)
    assert coverage.shape == (10,) and coverage.sum() == pytest.approx(1)
    np.testing.assert_allclose(coverage, np.bincount(y_train) / len(y_train), atol=0.02)
    sevens = metrics.class_coverage(x_train[y_train == 7])
    assert sevens.argmax() == 7 and sevens[7] > 0.9


def test_image_scores_bundle_fid_and_class_shares(digits):
    (x_train, y_train), _ = digits
    sevens = metrics.image_scores(x_train[y_train == 7])
    assert sevens["max_class_share"] > 0.9 and sevens["min_class_share"] == 0
    assert sevens["digits_fid"] == pytest.approx(metrics.digits_fid(x_train[y_train == 7]))
    assert sevens["digits_fid"] > 5 * metrics.image_scores(x_train)["digits_fid"]  # one class only: far off
    _, (x_test, _) = digits
    real = metrics.image_scores(x_test, reference="train")
    assert real["digits_fid"] == pytest.approx(metrics.digits_fid(x_train))  # the distance is symmetric


@pytest.mark.parametrize("images, message", [
    (np.zeros((5, 28, 28)), "shaped"), (np.zeros((1, 8, 8)), "at least 2"), (np.full((4, 8, 8), 16.0), "rescale"),
])  # fmt: skip
def test_bad_images_get_a_clear_error(images, message):
    with pytest.raises(ValueError, match=message):
        metrics.digits_fid(images)


def test_a_corrupt_cached_classifier_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(metrics, "_CLASSIFIER", None)
    (tmp_path / metrics.CLASSIFIER_FILE).write_bytes(b"not a keras file")
    model = metrics.digits_classifier()
    assert model.get_layer("features").output.shape[-1] == 64
    import keras

    reloaded = keras.saving.load_model(tmp_path / metrics.CLASSIFIER_FILE)
    for a, b in zip(model.get_weights(), reloaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_shapes_have_known_factors_and_repeat_from_a_seed():
    images, factors = data.load("shapes", n=600, size=16, seed=3)
    assert images.shape == (600, 16, 16) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    assert set(factors) == {"kind", "scale", "x", "y", "angle"} and all(len(v) == 600 for v in factors.values())
    assert set(np.unique(factors["kind"])) == {0, 1, 2} and np.all(factors["angle"] == 0)
    again, _ = data.load("shapes", n=600, size=16, seed=3)
    np.testing.assert_array_equal(images, again)
    # the drawn area grows with the scale and is the largest for squares, the smallest for triangles
    area = images.sum(axis=(1, 2)) / 16**2 / factors["scale"] ** 2
    by_kind = [area[factors["kind"] == k].mean() for k in range(3)]
    assert by_kind[0] == pytest.approx(4, rel=0.1) and by_kind[1] == pytest.approx(np.pi, rel=0.1)
    assert by_kind[2] < by_kind[1]
    # the centre of mass follows x and y
    ys, xs = np.mgrid[0:16, 0:16] + 0.5
    cx = (images * xs).sum(axis=(1, 2)) / images.sum(axis=(1, 2)) / 16
    assert np.corrcoef(cx, factors["x"])[0, 1] > 0.95
    # nothing is cut off at the border
    assert images[:, 0].max() == 0 and images[:, -1].max() == 0 and images[:, :, 0].max() == 0
    rotated, f = data.load("shapes", n=50, size=32, seed=0, rotation=True)
    assert rotated.shape == (50, 32, 32) and f["angle"].std() > 0.5
    with pytest.raises(ValueError, match="size >= 8"):
        data.load("shapes", n=5, size=4)
