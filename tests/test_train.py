"""helpers.train: seeding, progress bar, timer."""

import random
import time

import numpy as np
import pytest

from helpers import train


def draw():
    import tensorflow as tf

    return random.random(), np.random.rand(), float(tf.random.uniform(())), float(np.asarray(
        __import__("keras").random.normal((1,))[0]))


def test_seed_makes_python_numpy_and_tensorflow_repeat():
    train.seed(3)
    first = draw()
    train.seed(3)
    assert draw() == first
    train.seed(4)
    assert draw() != first


def test_progress_records_values_and_prints_a_summary(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    bar = train.progress(25, desc="fit", every=5)
    for step in bar:
        bar.log(loss=np.float32(1.0 / (step + 1)), accuracy=step / 25)
    assert len(bar.history["loss"]) == 25 and bar.history["loss"][-1] == pytest.approx(1 / 25)
    out = capsys.readouterr().out
    assert out.startswith("fit: 25 steps in ") and "steps/s" in out and "loss 0.04" in out
    assert bar.bar.disable


def test_timer_measures_a_block():
    with train.Timer() as t:
        time.sleep(0.05)
        assert 0.0 < t.elapsed() < 1.0
    assert 0.04 < t.seconds < 1.0


def test_fit_logs_every_step_and_keeps_snapshots(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    x, y = np.arange(10.0), np.arange(10.0) * 2
    seen = []

    def step(xb, yb):
        assert xb.shape == (4,) and np.all(yb == 2 * xb)  # rows stay paired
        seen.append(xb.copy())
        return {"mean": xb.mean()}

    bar = train.fit(step, 6, [x, y], batch_size=4, seed=3, every=2, snapshot=lambda: len(seen))
    assert len(bar.history["mean"]) == 6 and bar.snapshots == {2: 2, 4: 4, 6: 6}
    again = []
    train.fit(lambda xb, yb: again.append(xb.copy()) or {}, 6, [x, y], batch_size=4, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(seen, again))  # same seed, same batches
    with pytest.raises(ValueError, match="same first axis"):
        train.fit(step, 1, [x, y[:5]])
