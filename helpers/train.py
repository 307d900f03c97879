"""Training utilities: seeding, a progress bar for custom training loops, a timer.

>>> seed(0)
>>> bar = progress(100, desc="train")
>>> for step in bar:
...     loss = 1.0 / (step + 1)   # one training step here
...     bar.log(loss=loss)
"""

import contextlib
import numbers
import os
import random
import sys
import time

import numpy as np


def seed(n: int, deterministic: bool = False) -> None:
    """Seed Python's ``random``, NumPy's global generator and TensorFlow (through Keras).

    With ``deterministic=True`` TensorFlow also picks deterministic kernels, so results repeat
    exactly from run to run (some ops become slower, a few raise an error instead).
    """
    random.seed(n)
    np.random.seed(n)
    with quiet_first_import():
        import keras

    keras.utils.set_random_seed(n)
    if deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


@contextlib.contextmanager
def quiet_first_import():
    """Import TensorFlow (or Keras) inside this block to hide the C++ start-up lines it prints the
    first time (oneDNN, CUDA drivers, a failed cuInit on machines without a GPU): recent versions
    write them before any log level applies. Later output is untouched."""
    if "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
            import tensorflow as tf

            tf.config.list_physical_devices()  # device discovery prints the cuInit error, if any
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class Timer:
    """Wall-clock seconds of a block: ``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self):
        self.start, self.seconds = time.perf_counter(), None
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start

    def elapsed(self) -> float:
        """Seconds so far (inside the block) or in all (after it)."""
        return self.seconds if self.seconds is not None else time.perf_counter() - self.start


def _show_bars() -> bool:
    """Progress bars are drawn unless ``COURSE_PROGRESS=0`` (``make test`` and ``make execute``
    set it, so that committed notebooks hold one summary line instead of a widget)."""
    return os.environ.get("COURSE_PROGRESS", "1") != "0"


class Progress:
    """Iterate over training steps with a progress bar that shows the logged values and steps/s.

    ``log(**values)`` records floats each step (``history``) and refreshes the bar's text every
    ``every`` steps; at the end one summary line is printed (steps, seconds, steps/s, last values).
    """

    def __init__(self, steps: int, desc: str = "train", every: int = 10):
        from tqdm.auto import tqdm

        steps, every = _whole("steps", steps, 0), _whole("every", every, 1)
        self.steps, self.desc, self.every = steps, desc, every
        self.done = 0  # steps completed so far (fewer than steps if the loop stopped early)
        self.history: dict[str, list[float]] = {}
        self.bar = tqdm(total=steps, desc=desc, unit="step", disable=not _show_bars())
        self.timer = Timer()

    def __iter__(self):
        self.done = 0
        try:
            with self.timer:
                for step in range(self.steps):
                    yield step
                    self.done += 1
                    self.bar.update(1)
        finally:  # also when the loop is left early (break, an error): the bar is closed
            self.bar.close()
        print(self.summary())

    def log(self, **values) -> None:
        """Record this step's values (tensors or numbers) and show them on the bar."""
        for key, value in values.items():
            self.history.setdefault(key, []).append(float(value))
        if self.history and len(next(iter(self.history.values()))) % self.every == 0:
            self.bar.set_postfix({k: f"{v[-1]:.4g}" for k, v in self.history.items()}, refresh=False)

    @property
    def steps_per_second(self) -> float:
        """Completed steps per second (a loop stopped early counts only the steps it finished)."""
        return self.done / self.timer.elapsed()

    def summary(self) -> str:
        last = ", ".join(f"{k} {v[-1]:.4g}" for k, v in self.history.items())
        count = f"{self.steps} steps" if self.done == self.steps else f"stopped after {self.done} of {self.steps} steps"
        text = f"{self.desc}: {count} in {self.timer.elapsed():.1f} s ({self.steps_per_second:.1f} steps/s)"
        return f"{text}, {last}" if last else text


def progress(steps: int, desc: str = "train", every: int = 10) -> Progress:
    """A ``Progress`` over ``range(steps)``; see its docstring."""
    return Progress(steps, desc, every)


def fit(step, steps: int, arrays, batch_size: int = 128, seed: int = 0, desc: str = "train",
        every: int = 0, snapshot=None) -> Progress:
    """Train with a custom step: call ``step(*batch)`` ``steps`` times, each time on a batch of
    ``batch_size`` rows drawn at random (from ``seed``, with replacement) from ``arrays`` (a list
    of arrays with the same first axis, e.g. [images, labels]). ``step`` returns a dict of
    scalars, logged at every step. Every ``every`` steps ``snapshot()`` is called and kept.

    Returns the progress bar: ``bar.history`` {name: [value per step]} and ``bar.snapshots``
    {step: what snapshot() returned}. The batch order depends only on ``seed``, so models trained
    with the same seed see the same batches."""
    if not callable(step):
        raise TypeError(f"step must be a function step(*batch) -> dict of scalars, got {type(step).__name__}")
    if hasattr(arrays, "shape") or isinstance(arrays, dict | str) or not isinstance(arrays, list | tuple):
        raise TypeError(f"arrays must be a list of arrays with the same first axis, e.g. [images, labels], got "
                        f"{type(arrays).__name__}" + (f" of shape {tuple(arrays.shape)}; for one array write [images]"
                                                      if hasattr(arrays, "shape") else ""))
    if not arrays:
        raise ValueError("arrays is empty: give at least one array, e.g. [images]")
    if any(np.ndim(a) == 0 for a in arrays):
        raise ValueError("every entry of arrays must be an array with a first axis (rows), not a scalar")
    steps, batch_size = _whole("steps", steps, 0), _whole("batch_size", batch_size, 1)
    every = _whole("every", every, 0)
    if every and not callable(snapshot):
        raise TypeError(f"every={every} calls snapshot() every {every} steps: pass snapshot, a function of no "
                        "arguments")
    sizes = {len(a) for a in arrays}
    if len(sizes) != 1:
        raise ValueError(f"every array needs the same first axis, got lengths {sorted(sizes)}")
    if 0 in sizes:
        raise ValueError("the arrays have no rows to draw batches from")
    order = np.random.default_rng(seed).integers(0, sizes.pop(), size=(steps, batch_size))
    bar = progress(steps, desc=desc)
    bar.snapshots = {}
    for i in bar:
        values = step(*(a[order[i]] for a in arrays))
        if not isinstance(values, dict):
            raise TypeError(f"step must return a dict of scalars to log, e.g. {{'loss': loss}}, got "
                            f"{type(values).__name__}")
        bar.log(**values)
        if every and (i + 1) % every == 0:
            bar.snapshots[i + 1] = snapshot()
    return bar


def _whole(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)
