"""helpers.metrics against scikit-learn's log loss, and record()."""

import json
import math

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
