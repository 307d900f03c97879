"""Yardsticks: nats and bits per character, perplexity, exact match; and ``record`` to keep a
notebook's headline figures for ``make report`` and the README.

Every text model in the course reports the same number: the average negative log-likelihood of
held-out characters in nats (natural log), so the n-gram, HMM, RNN and GPT can be compared.
"""

import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Mapping, Set

import numpy as np

from helpers import paths

LN2 = math.log(2.0)


def nats_per_char(probs: np.ndarray, targets: np.ndarray | None = None) -> float:
    """Average negative log-likelihood in nats per character.

    ``probs`` are the probabilities the model gave to the characters that came, shape (n,); or,
    with ``targets`` (n,) of ids, the predicted distributions (n, vocabulary) to pick them from.
    A zero probability gives ``inf``: the model said the character could not happen.

    Refused with a ValueError: a matrix without ``targets`` (which column would count?), rows of
    distributions that do not sum to 1, NaN, a probability outside [0, 1] anywhere (also in a
    column that is not a target), and target ids outside [0, vocabulary).
    """
    try:
        probs = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"probs must be an array of probabilities, got {type(probs).__name__}") from error
    if np.isnan(probs).any():
        raise ValueError("probs contain NaN: the model's output is broken (has training diverged?)")
    if probs.size and (probs.min() < 0 or probs.max() > 1):
        where = np.unravel_index(np.argmax((probs < 0) | (probs > 1)), probs.shape)
        raise ValueError(f"probabilities must lie in [0, 1]; probs{list(map(int, where))} is {probs[where]:.6g} "
                         "(logits or log-probabilities? apply a softmax, or exp, first)")
    if targets is not None:
        targets = np.asarray(targets)
        if probs.ndim != 2 or targets.shape != probs.shape[:1]:
            raise ValueError(f"need probs (n, vocab) and targets (n,), got {probs.shape} and {targets.shape}")
        if targets.size and not np.issubdtype(targets.dtype, np.integer):
            raise ValueError(f"targets must be integer ids, got dtype {targets.dtype}")
        if targets.size and (targets.min() < 0 or targets.max() >= probs.shape[1]):
            raise ValueError(f"targets must be ids in [0, {probs.shape[1]}) (the columns of probs), got min "
                             f"{targets.min()} and max {targets.max()}")
        sums = probs.sum(axis=1)
        if probs.size and not np.allclose(sums, 1.0, atol=1e-3):
            worst = int(np.argmax(np.abs(sums - 1)))
            raise ValueError(f"each row of probs must be a distribution that sums to 1; row {worst} sums to "
                             f"{sums[worst]:.6g} (apply a softmax to logits first)")
        probs = probs[np.arange(len(targets)), targets]
    elif probs.ndim != 1:
        raise ValueError(f"probs has shape {probs.shape}: pass the probabilities of the characters that came, "
                         "shape (n,), or the distributions (n, vocab) together with targets (n,)")
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
    """The share of predictions equal to their targets (strings or sequences).

    ``predictions`` and ``targets`` are collections of outputs: lists of strings, or arrays
    (n, length) whose rows are compared whole. Two single strings are refused (wrap each in a list),
    and so are dicts and sets (a dict would compare its keys, a set has no order to pair by).
    """
    for name, value in (("predictions", predictions), ("targets", targets)):
        if isinstance(value, Mapping | Set):
            kind = "dict" if isinstance(value, Mapping) else "set"
            raise TypeError(f"{name} must be a list of outputs in order, got a {kind} ({type(value).__name__}); "
                            + ("pass list(d.values()) for both, in the same key order" if kind == "dict" else
                               "a set has no order to pair predictions with targets: pass lists"))
        if isinstance(value, str | bytes):
            raise TypeError(f"{name} must be a list of outputs (e.g. strings), got one string {value[:30]!r}; "
                            f"for a single output write exact_match([prediction], [target])")
        if not hasattr(value, "__iter__") or getattr(value, "ndim", 1) == 0:
            raise TypeError(f"{name} must be a list of outputs, got {type(value).__name__}")
    predictions, targets = list(predictions), list(targets)
    if len(predictions) != len(targets) or not targets:
        raise ValueError(f"need equal, non-zero counts, got {len(predictions)} and {len(targets)}")
    return sum(_same(p, t) for p, t in zip(predictions, targets)) / len(targets)


def _same(prediction, target) -> bool:
    """One output equals its target: strings by ==, sequences and arrays element by element."""
    if isinstance(prediction, str | bytes) or isinstance(target, str | bytes):
        return prediction == target
    if hasattr(prediction, "shape") or hasattr(target, "shape"):  # NumPy or TensorFlow rows
        return bool(np.array_equal(np.asarray(prediction), np.asarray(target)))
    same = prediction == target
    return bool(same) if isinstance(same, bool | np.bool_) else bool(np.array_equal(prediction, target))


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
    if not isinstance(notebook, str) or not re.fullmatch(r"\d\d_[a-z0-9_]+", notebook):
        raise ValueError(f"notebook must be a file name without .ipynb, like '00_introduction', not {notebook!r}")
    if not values:
        raise ValueError("nothing to record: pass figures as keyword arguments")
    file = paths.build_dir() / "metrics" / f"{notebook}.json"
    file.parent.mkdir(parents=True, exist_ok=True)
    saved = read_figures(file) or {}
    saved.update({key: _plain(value) for key, value in values.items()})
    write_atomically(file, json.dumps(saved, indent=2, sort_keys=True) + "\n")


def write_atomically(file, text: str) -> None:
    """Write ``text`` to ``file`` all at once: into a temporary file beside it (a name unique to
    this process), then renamed over it, so a full disk or a killed kernel leaves either the old
    file or the new one, never half of one. The file gets the permissions the umask allows.

    Temporary files of ``file`` left by writers that were killed before they could clean up are
    removed on the way (best effort, by ``data.remove_stale_parts``: those of dead processes on
    this machine, and any older than ``data.STALE_SECONDS``); a live writer's are left alone."""
    from pathlib import Path

    from helpers import data

    file = Path(file)
    try:
        data.remove_stale_parts(file.parent, file.name)
    except OSError:  # best effort: a folder we cannot list or clean is no reason not to write
        pass
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=data._temp_prefix(file), suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            _write_text(out, text)
        os.chmod(tmp, 0o666 & ~data._umask())
        os.replace(tmp, file)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _write_text(out, text: str) -> None:
    out.write(text)
    out.flush()


_WARNED_DAMAGED: set = set()


def read_figures(file) -> dict | None:
    """The figures saved in ``file`` (a JSON object), None if there is no such file. A damaged
    file (cut off by a full disk or a killed kernel, or not a JSON object) is read as empty, with
    one warning that names it."""
    try:
        text = open(file, encoding="utf-8").read()
    except FileNotFoundError:
        return None
    try:
        figures = json.loads(text)
        if not isinstance(figures, dict):
            raise ValueError("not a JSON object")
        return figures
    except ValueError as error:
        if str(file) not in _WARNED_DAMAGED:
            _WARNED_DAMAGED.add(str(file))
            warnings.warn(f"{file} is damaged ({error}), perhaps cut off by a full disk or a killed kernel: its "
                          "figures are read as empty; run its notebook again to record them anew",
                          RuntimeWarning, stacklevel=3)
        return {}


def recorded(notebook: str) -> dict | None:
    """The figures ``notebook`` recorded the last time it ran here, or None if it has not run
    (e.g. notebook 04 reads notebook 03's training curve to compare with it). A damaged file
    counts as not run, with one warning."""
    if not isinstance(notebook, str) or not re.fullmatch(r"\d\d_[a-z0-9_]+", notebook):
        raise ValueError(f"notebook must be a file name without .ipynb, like '03_seq2seq_attention', not {notebook!r}")
    file = paths.build_dir() / "metrics" / f"{notebook}.json"
    return read_figures(file) or None


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
_SAID_IN_MEMORY = False


def _save_model(model, file) -> None:
    """Save a Keras model to ``file`` atomically: into a temporary file beside it with a name
    unique to this process (several processes may build the classifier at once), then renamed
    over it; the file gets the permissions the umask allows."""
    from helpers import data

    folder = file.parent
    folder.mkdir(parents=True, exist_ok=True)
    data.remove_stale_parts(folder, file.name, suffix=".part.keras")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=data._temp_prefix(file), suffix=".part.keras")
    os.close(fd)
    try:
        model.save(tmp)
        os.chmod(tmp, 0o666 & ~data._umask())
        os.replace(tmp, file)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _load_or_build_classifier():
    """The classifier and the file it is saved in: loaded from the data cache, or trained and
    saved there; (model, None) if the cache cannot take it (read-only, full, not a folder)."""
    global _SAID_IN_MEMORY
    from helpers import data
    from helpers.train import quiet_first_import

    with quiet_first_import():
        import keras

    file = paths.data_dir() / CLASSIFIER_FILE
    try:
        return keras.saving.load_model(file), file
    except Exception:  # missing, unreadable, corrupt or from an incompatible Keras: train it again
        pass
    model = _train_classifier()
    try:
        _save_model(model, file)
        return model, file
    except OSError as error:
        if not _SAID_IN_MEMORY:
            _SAID_IN_MEMORY = True
            warnings.warn(f"the digits classifier was trained in memory for this session only: "
                          f"{data._cache_problem(error, file.parent, file)}. An instructor can build it once for "
                          "everyone with `make prefetch` into a writable COURSE_DATA_DIR.", RuntimeWarning,
                          stacklevel=3)
        return model, None


def digits_classifier():
    """The digits classifier of the image yardstick (a keras.Sequential: 64 pixels -> 128 -> 64
    features -> 10 logits), trained once and cached as ``digits_classifier.keras`` in the data
    cache (``make prefetch`` builds it); a cached file that cannot be read is replaced by a freshly
    trained one. A cache that cannot be written (read-only, full) gets no file: the classifier
    is trained in memory for the session, with one warning that says so."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = _load_or_build_classifier()[0]
    return _CLASSIFIER


def build_digits_classifier():
    """Make sure the data cache holds the digits classifier (``make prefetch``) and return its
    file; raises ``data.CacheError`` if the cache cannot be written."""
    global _CLASSIFIER
    from helpers import data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        model, file = _load_or_build_classifier()
    _CLASSIFIER = model
    if file is None:
        target = paths.data_dir() / CLASSIFIER_FILE
        try:
            _save_model(model, target)
        except OSError as error:
            raise data.CacheError(f"cannot save the digits classifier: {data._cache_problem(error, target.parent, target)}") from error
        file = target
    return file


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
