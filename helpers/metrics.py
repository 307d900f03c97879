"""Yardsticks: nats and bits per character, perplexity, exact match; and ``record`` to keep a
notebook's headline figures for ``make report`` and the README.

Every text model in the course reports the same number: the average negative log-likelihood of
held-out characters in nats (natural log), so the n-gram, HMM, RNN and GPT can be compared.
"""

import json
import math
import re

import numpy as np

from helpers import paths

LN2 = math.log(2.0)


def nats_per_char(probs: np.ndarray, targets: np.ndarray | None = None) -> float:
    """Average negative log-likelihood in nats per character.

    ``probs`` are the probabilities the model gave to the characters that came, shape (n,); or,
    with ``targets`` (n,) of ids, the predicted distributions (n, vocabulary) to pick them from.
    A zero probability gives ``inf``: the model said the character could not happen.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if targets is not None:
        targets = np.asarray(targets)
        if probs.ndim != 2 or targets.shape != probs.shape[:1]:
            raise ValueError(f"need probs (n, vocab) and targets (n,), got {probs.shape} and {targets.shape}")
        probs = probs[np.arange(len(targets)), targets]
    if probs.size == 0:
        raise ValueError("no characters to score")
    if np.any(probs < 0) or np.any(probs > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(probs)))


def bits_per_char(nats: float) -> float:
    """Nats per character converted to bits per character (divide by ln 2)."""
    return nats / LN2


def perplexity(nats: float) -> float:
    """exp(nats per character): the number of equally likely characters the model is as unsure
    as; a uniform guess over V characters has perplexity V."""
    return math.exp(nats)


def exact_match(predictions, targets) -> float:
    """The share of predictions equal to their targets (strings or sequences)."""
    predictions, targets = list(predictions), list(targets)
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"need equal, non-zero counts, got {len(predictions)} and {len(targets)}")
    return sum(p == t for p, t in zip(predictions, targets)) / len(targets)


def _plain(value):
    """A JSON-friendly float, int, str or bool from NumPy or TensorFlow scalars; a list of them
    from a list, tuple or 1-D array (a curve)."""
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (list, tuple)) or np.ndim(value) == 1:
        return [_plain(v) for v in np.asarray(value).tolist()]
    value = float(np.asarray(value))
    if not math.isfinite(value):
        raise ValueError(f"cannot record a non-finite value ({value})")
    return value


def record(notebook: str, **values) -> None:
    """Save a notebook's headline figures to ``build/metrics/<notebook>.json`` at the root.

    ``notebook`` is the file name without ``.ipynb``, e.g. ``record("00_introduction",
    bigram_nats_per_char=2.45)``. Values recorded before are kept unless named again
    (``make report`` clears the file before it runs the notebook). A value may also be a list of
    numbers, such as a training curve for a later notebook to compare with; the README's tables
    show only single figures.
    """
    if not re.fullmatch(r"\d\d_[a-z0-9_]+", notebook):
        raise ValueError(f"notebook must be a file name without .ipynb, like '00_introduction', not {notebook!r}")
    if not values:
        raise ValueError("nothing to record: pass figures as keyword arguments")
    file = paths.build_dir() / "metrics" / f"{notebook}.json"
    file.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(file.read_text()) if file.is_file() else {}
    saved.update({key: _plain(value) for key, value in values.items()})
    file.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")


def recorded(notebook: str) -> dict | None:
    """The figures ``notebook`` recorded the last time it ran here, or None if it has not run
    (e.g. notebook 04 reads notebook 03's training curve to compare with it)."""
    file = paths.build_dir() / "metrics" / f"{notebook}.json"
    return json.loads(file.read_text()) if file.is_file() else None


# The image yardstick: digits-FID and class coverage -------------------------------------------

CLASSIFIER_FILE = "digits_classifier.keras"


def _train_classifier(epochs: int = 60):
    """A small MLP on the digits training split, trained the same way every time: seeded
    initialisers and a fixed batch order, touching no global random state (a notebook that
    calls digits_fid keeps its own random streams). Its 64-unit hidden layer gives the features
    of digits-FID."""
    from helpers import data
    from helpers.train import quiet_first_import

    with quiet_first_import():
        import keras

    images, labels = data.load("digits", split="train")
    images = images.reshape(-1, 64)
    rng = np.random.default_rng(2024)
    order = np.concatenate([rng.permutation(len(images)) for _ in range(epochs)])  # every epoch shuffled

    def dense(units, seed, **options):
        return keras.layers.Dense(units, kernel_initializer=keras.initializers.GlorotUniform(seed=seed), **options)

    model = keras.Sequential([keras.Input((64,)), dense(128, 1, activation="relu"),
                              dense(64, 2, activation="relu", name="features"), dense(10, 3, name="logits")])
    model.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(images[order], labels[order], batch_size=64, epochs=1, shuffle=False, verbose=0)
    return model


_CLASSIFIER = None


def digits_classifier():
    """The digits classifier of the image yardstick (a keras.Sequential: 64 pixels -> 128 -> 64
    features -> 10 logits), trained once and cached as ``digits_classifier.keras`` in the data
    cache; a cached file that cannot be read is replaced by a freshly trained one."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        import keras

        from helpers import paths

        file = paths.data_dir() / CLASSIFIER_FILE
        try:
            _CLASSIFIER = keras.saving.load_model(file)
        except Exception:  # missing, corrupt or from an incompatible Keras: train it again
            _CLASSIFIER = _train_classifier()
            file.parent.mkdir(parents=True, exist_ok=True)
            part = file.with_name(file.stem + ".part.keras")
            _CLASSIFIER.save(part)
            part.replace(file)
    return _CLASSIFIER


def _digit_images(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float32)
    if images.ndim not in (2, 3) or images.shape[1:] not in ((8, 8), (64,)) or len(images) < 2:
        raise ValueError(f"need at least 2 digit images shaped (n, 8, 8) or (n, 64), got {images.shape}")
    if not np.all(np.isfinite(images)) or images.min() < -0.01 or images.max() > 1.01:
        raise ValueError("pixel values must lie in [0, 1] like data.load('digits'); rescale your samples")
    return images.reshape(len(images), 64)


def digits_features(images) -> np.ndarray:
    """The classifier's 64 hidden features of digit images (n, 8, 8) in [0, 1]: (n, 64)."""
    model = digits_classifier()
    x = _digit_images(images)
    for layer in model.layers[: [layer.name for layer in model.layers].index("features") + 1]:
        x = layer(x)
    return np.asarray(x, dtype=np.float64)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The Fréchet distance between Gaussians fitted to two sets of feature vectors (n, d):
    |mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr((S_a S_b)^(1/2)) is the sum of square roots of the eigenvalues of S_a S_b (real, >= 0)
    eig = np.linalg.eigvals(cov_a @ cov_b).real.clip(min=0)
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.sqrt(eig).sum())


def digits_fid(images, reference: str = "test") -> float:
    """digits-FID: the Fréchet distance between the classifier features of ``images`` (n, 8, 8)
    in [0, 1] and those of the real digits of the ``reference`` split. Lower is better; real test
    digits against the training digits set the floor (see the calibration in the tests)."""
    from helpers import data

    real, _ = data.load("digits", split=reference)
    return frechet_distance(digits_features(images), digits_features(real))


def classify_digits(images) -> np.ndarray:
    """The digits classifier's label for each image (n,), e.g. to check a conditional model."""
    return np.asarray(digits_classifier()(_digit_images(images))).argmax(axis=1)


def class_coverage(images) -> np.ndarray:
    """The share of ``images`` that the digits classifier assigns to each class 0-9: (10,)."""
    labels = classify_digits(images)
    return np.bincount(labels, minlength=10) / len(labels)


def image_scores(images, reference: str = "test") -> dict:
    """The image yardstick's figures for generated digits (n, 8, 8) in [0, 1]: digits-FID against
    the ``reference`` digits, and the smallest and largest share of the images in any one class (a
    generator that covers every digit evenly gives about 0.1 for both)."""
    share = class_coverage(images)
    return {"digits_fid": digits_fid(images, reference), "min_class_share": float(share.min()),
            "max_class_share": float(share.max())}


def nearest_training_digit(images, train) -> tuple[np.ndarray, np.ndarray]:
    """For each image (n, 8, 8) its Euclidean pixel distance to the nearest of the ``train``
    images (m, 8, 8), and that image's index: distances (n,), indices (n,)."""
    x, t = _digit_images(images).astype(np.float64), _digit_images(train).astype(np.float64)
    # |x - t|^2 = |x|^2 - 2 x.t + |t|^2, in blocks of 512 images to keep memory small
    nearest = np.empty(len(x), dtype=np.int64)
    distances = np.empty(len(x))
    t_sq = (t**2).sum(axis=1)
    for start in range(0, len(x), 512):
        block = x[start:start + 512]
        d2 = (block**2).sum(axis=1)[:, None] - 2 * block @ t.T + t_sq[None, :]  # (block, m)
        nearest[start:start + 512] = d2.argmin(axis=1)
        distances[start:start + 512] = np.sqrt(d2.min(axis=1).clip(min=0))
    return distances, nearest


def memorisation(images, train=None, test=None) -> dict:
    """Does a generator copy its training digits? Compares how far each generated image lies from
    its nearest training digit with how far held-out test digits lie from theirs.

    A model that generalises makes digits about as far from the training set as new real digits
    are (``distance_ratio`` near 1 or above); one that memorised makes near copies (ratio near 0,
    and a large ``near_copy_share``: the share of images closer to a training digit than the
    closest 5 % of test digits are, about 0.05 for new real digits). ``train`` and ``test`` default
    to the digits data set's splits. Returns the figures and the per-image distances and indices
    (``distances``, ``nearest``, ``test_distances``) for pictures.
    """
    from helpers import data

    train = data.load("digits", split="train")[0] if train is None else train
    test = data.load("digits", split="test")[0] if test is None else test
    distances, nearest = nearest_training_digit(images, train)
    test_distances, _ = nearest_training_digit(test, train)
    return {"median_distance": float(np.median(distances)),
            "test_median_distance": float(np.median(test_distances)),
            "distance_ratio": float(np.median(distances) / np.median(test_distances)),
            "near_copy_share": float(np.mean(distances < np.quantile(test_distances, 0.05))),
            "distances": distances, "nearest": nearest, "test_distances": test_distances}
