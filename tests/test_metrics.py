"""helpers.metrics against scikit-learn's log loss, and record()."""

import json
import math
import os
import warnings

import numpy as np
import pytest
from sklearn.metrics import log_loss

from helpers import metrics, paths


@pytest.mark.parametrize("vocab", [2, 5, 27])
def test_nats_per_char_equals_sklearn_log_loss(vocab):
    rng = np.random.default_rng(vocab)
    probs = rng.dirichlet(np.ones(vocab), size=500)  # (n, vocab), rows sum to 1
    targets = rng.integers(0, vocab, size=500)
    expected = log_loss(targets, probs, labels=np.arange(vocab))
    assert metrics.nats_per_char(probs, targets) == pytest.approx(expected, rel=1e-12)
    picked = probs[np.arange(500), targets]
    assert metrics.nats_per_char(picked) == pytest.approx(expected, rel=1e-12)


def test_units_and_edge_cases():
    uniform = math.log(27)
    assert metrics.bits_per_char(uniform) == pytest.approx(math.log2(27))
    assert metrics.perplexity(uniform) == pytest.approx(27)
    assert metrics.nats_per_char([0.5, 0.0]) == math.inf  # a character the model ruled out
    with pytest.raises(ValueError, match="need probs"):
        metrics.nats_per_char(np.ones((3, 2)) / 2, np.zeros(4, int))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.nats_per_char([1.5])
    assert metrics.exact_match(["a", "b", "c"], ["a", "x", "c"]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        metrics.exact_match([], [])


def test_record_writes_build_metrics_at_the_root(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path / "build")
    metrics.record("00_introduction", unigram=np.float32(2.5), n=3)
    metrics.record("00_introduction", bigram=2.25)
    on_disk = json.loads((tmp_path / "build" / "metrics" / "00_introduction.json").read_text())
    assert on_disk == {"bigram": 2.25, "n": 3, "unigram": 2.5}
    with pytest.raises(ValueError, match="without .ipynb"):
        metrics.record("00_introduction.ipynb", x=1.0)
    with pytest.raises(ValueError, match="non-finite"):
        metrics.record("00_introduction", x=float("nan"))


def test_build_dir_is_at_the_repository_root():
    assert paths.build_dir() == paths.root() / "build"
    assert (paths.root() / "pyproject.toml").is_file()


def test_curves_can_be_recorded_and_read_back(tmp_path, monkeypatch):
    from helpers import report

    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path / "build")
    assert metrics.recorded("03_seq2seq_attention") is None
    metrics.record("03_seq2seq_attention", exact_match=1.0, curve=np.array([0.5, 0.9]), steps=[100, 200])
    got = metrics.recorded("03_seq2seq_attention")
    assert got == {"exact_match": 1.0, "curve": [0.5, 0.9], "steps": [100, 200]}
    assert report._format_metrics(got) == "exact_match 1.000"
    with pytest.raises(ValueError, match="non-finite"):
        metrics.record("03_seq2seq_attention", curve=[1.0, float("inf")])


# Issue 18: no plausible wrong value, and recorded figures that survive a full disk -----------------


@pytest.mark.parametrize("args, message", [
    ((np.full((3, 4), 0.25),), r"probs has shape \(3, 4\): pass .* together with targets"),  # was 1.386 for a matrix
    ((np.full((2, 3), 0.5), np.array([0, 1])), "row 0 sums to 1.5"),  # scored better than possible
    ((np.array([0.5, np.nan]),), "NaN"),
    ((np.array([[0.5, np.nan], [0.5, 0.5]]), np.array([0, 1])), "NaN"),
    ((np.full((2, 2), 0.5), np.array([0, -1])), r"targets must be ids in \[0, 2\)"),  # -1 wrapped to the last column
    ((np.full((2, 2), 0.5), np.array([0, 2])), r"targets must be ids in \[0, 2\)"),
    ((np.full((2, 2), 0.5), np.array([0.0, 1.0])), "targets must be integer ids"),
])  # fmt: skip
def test_nats_per_char_refuses_what_it_cannot_score(args, message):
    with pytest.raises(ValueError, match=message):
        metrics.nats_per_char(*args)


def test_nats_per_char_takes_float32_softmax_rows():
    logits = np.random.default_rng(0).normal(size=(50, 27)).astype(np.float32)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # rows sum to 1 within float32
    targets = np.arange(50) % 27
    assert metrics.nats_per_char(probs, targets) == pytest.approx(-np.log(probs[np.arange(50), targets]).mean(),
                                                                   rel=1e-6)


def test_exact_match_compares_whole_outputs():
    with pytest.raises(TypeError, match="one string 'emma'.*exact_match\\(\\[prediction\\], \\[target\\]\\)"):
        metrics.exact_match("emma", "emmy")  # was 0.75, per character
    with pytest.raises(TypeError, match="targets must be a list of outputs"):
        metrics.exact_match(["1"], 1)
    rows = np.array([[1, 2, 3], [4, 5, 6]])
    assert metrics.exact_match(rows, np.array([[1, 2, 3], [4, 5, 0]])) == 0.5  # was an array
    assert metrics.exact_match([[1, 2], [3]], [[1, 2], [3, 4]]) == 0.5  # ragged sequences
    assert metrics.exact_match(["2021-03-03", "x"], ["2021-03-03", "y"]) == 0.5


def test_record_is_atomic_on_a_full_disk(tmp_path, monkeypatch):
    import errno

    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path / "build")
    metrics.record("00_introduction", unigram=2.5)

    def full(out, text):  # a stand-in writer: the disk fills up half-way
        out.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(metrics, "_write_text", full)
    with pytest.raises(OSError, match="No space left"):
        metrics.record("00_introduction", bigram=2.25)
    folder = tmp_path / "build" / "metrics"
    assert os.listdir(folder) == ["00_introduction.json"]  # no temporary file left
    assert metrics.recorded("00_introduction") == {"unigram": 2.5}  # the earlier figure is kept


def test_a_damaged_metrics_file_reads_as_empty_with_one_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path / "build")
    folder = tmp_path / "build" / "metrics"
    folder.mkdir(parents=True)
    (folder / "03_seq2seq_attention.json").write_text('{"exact_match": 0.99, "cur')  # cut off
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert metrics.recorded("03_seq2seq_attention") is None  # as if it had not run
        assert metrics.recorded("03_seq2seq_attention") is None
        metrics.record("03_seq2seq_attention", exact_match=1.0)  # starts afresh
    damaged = [w for w in caught if "is damaged" in str(w.message)]
    assert len(damaged) == 1 and "03_seq2seq_attention.json" in str(damaged[0].message)
    assert metrics.recorded("03_seq2seq_attention") == {"exact_match": 1.0}


def test_record_and_recorded_name_a_wrong_notebook():
    with pytest.raises(ValueError, match="notebook must be a file name"):
        metrics.recorded(3)
    with pytest.raises(ValueError, match="notebook must be a file name"):
        metrics.record(None, x=1.0)


# Issue 18, cheap general-rule cases ---------------------------------------------------------------


@pytest.mark.parametrize("probs, targets, where", [
    (np.array([[0.5, 0.7, -0.2]]), np.array([0]), r"probs\[0, 2\] is -0\.2"),  # was 0.693: rows sum to 1
    (np.array([[0.6, 0.4], [0.2, 0.8]]), np.array([0, 1]), None),
    (np.array([[0.25, 0.25, 0.5], [0.2, 1.3, -0.5]]), np.array([0, 0]), r"probs\[1, 1\] is 1\.3"),  # was 1.497
    (np.array([0.5, -0.1]), None, r"probs\[1\] is -0\.1"),
])  # fmt: skip
def test_nats_per_char_refuses_negative_probabilities_anywhere_in_the_rows(probs, targets, where):
    if where is None:  # a proper matrix still scores
        assert metrics.nats_per_char(probs, targets) == pytest.approx(-(np.log(0.6) + np.log(0.8)) / 2)
        return
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\]; " + where):
        metrics.nats_per_char(probs, targets)


def test_exact_match_refuses_dicts_and_sets():
    with pytest.raises(TypeError, match=r"predictions must be a list of outputs in order, got a dict.*values\(\)"):
        metrics.exact_match({"a": "2021-03-03", "b": "x"}, ["a", "b"])  # was 1.0: the keys were compared
    with pytest.raises(TypeError, match="targets .* got a set"):
        metrics.exact_match(["a", "b"], {"a", "b"})
    assert metrics.exact_match(list({"a": "x", "b": "y"}.values()), ["x", "z"]) == 0.5


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_write_atomically_removes_the_leftovers_of_dead_writers_only(tmp_path):
    import socket
    import time

    host = socket.gethostname().replace(".", "-")
    file = tmp_path / "03_seq2seq_attention.json"
    dead = tmp_path / f".{file.name}.{host}.{_dead_pid()}.abc.part"  # a writer killed mid-way
    live = tmp_path / f".{file.name}.{host}.{os.getpid()}.def.part"  # one still writing
    old = tmp_path / f".{file.name}.otherhost.123.ghi.part"  # another machine's, two days old
    recent = tmp_path / f".{file.name}.otherhost.456.jkl.part"  # another machine's, may still run
    other = tmp_path / f".other.json.{host}.{_dead_pid()}.mno.part"  # another file's: not ours to judge here
    for part in (dead, live, old, recent, other):
        part.write_text("{")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    metrics.write_atomically(file, "{}\n")
    assert file.read_text() == "{}\n"
    assert not dead.exists() and not old.exists()
    assert live.exists() and recent.exists() and other.exists()


def test_a_killed_writer_leaves_no_part_file_behind_for_long(tmp_path):
    import signal
    import subprocess
    import sys

    file = tmp_path / "00_introduction.json"
    script = ("import sys, time\nfrom helpers import metrics\n"
              "def slow(out, text):\n    out.write(text[:3]); out.flush(); print('writing', flush=True); time.sleep(60)\n"
              "metrics._write_text = slow\nmetrics.write_atomically(sys.argv[1], '{\"a\": 1}')\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(file)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    parts = lambda: sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part"))  # noqa: E731
    assert len(parts()) == 1  # a killed process runs no clean-up
    metrics.write_atomically(file, '{"a": 2}\n')  # the next write (the notebook run again) ...
    assert parts() == [] and json.loads(file.read_text()) == {"a": 2}  # ... removes it
