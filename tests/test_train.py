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


# Issue 18: fit refuses what it cannot train on; a loop stopped early reports what it did ----------


def test_fit_refuses_one_array_instead_of_a_list(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    calls = []
    images = np.zeros((10, 3))
    with pytest.raises(TypeError, match=r"got ndarray of shape \(10, 3\); for one array write \[images\]"):
        train.fit(lambda *batch: calls.append(len(batch)) or {}, 2, images)  # was one argument per row
    assert calls == []
    with pytest.raises(TypeError, match="arrays must be a list"):
        train.fit(lambda x: {}, 2, {"x": images})
    train.fit(lambda x: calls.append(x.shape) or {}, 2, [images], batch_size=4)
    assert calls == [(4, 3), (4, 3)]


@pytest.mark.parametrize("options, error, message", [
    (dict(batch_size=0), ValueError, "batch_size must be a whole number >= 1"),  # trained on empty batches
    (dict(batch_size=2.5), ValueError, "batch_size must be a whole number >= 1"),
    (dict(steps=-1), ValueError, "steps must be a whole number >= 0"),
    (dict(every=2), TypeError, "pass snapshot"),
    (dict(arrays=[np.zeros((0, 2))]), ValueError, "no rows"),
    (dict(arrays=[]), ValueError, "arrays is empty"),
    (dict(step=None), TypeError, "step must be a function"),
])  # fmt: skip
def test_fit_names_a_wrong_argument(options, error, message):
    settings = dict(step=lambda x: {}, steps=3, arrays=[np.zeros((10, 2))]) | options
    with pytest.raises(error, match=message):
        train.fit(**settings)


def test_fit_says_what_a_step_must_return(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    with pytest.raises(TypeError, match=r"step must return a dict of scalars to log, e.g. \{'loss': loss\}, got float"):
        train.fit(lambda x: 0.5, 3, [np.zeros((10, 2))])


def test_a_loop_stopped_early_reports_the_steps_it_did(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    bar = train.progress(1000, desc="early")
    for step in bar:
        time.sleep(0.002)
        if step == 9:
            break
    assert bar.done == 9  # the tenth step's body was left by break
    seconds = bar.timer.elapsed()
    assert bar.steps_per_second == pytest.approx(9 / seconds)  # was 1000 / seconds
    assert bar.summary().startswith("early: stopped after 9 of 1000 steps in ")
    with pytest.raises(ValueError, match="steps must be a whole number >= 0"):
        train.progress("100")
