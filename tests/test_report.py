"""helpers.report: measuring a notebook, the table, the README block."""

import errno
import json
import warnings

import nbformat
import pytest

from helpers import metrics, paths, report


def test_run_one_executes_and_measures(tmp_path):
    notebook = tmp_path / "99_tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = [0] * 10**6\nprint(len(x))")])
    nbformat.write(nb, notebook)
    figures = report.run_one(notebook, tmp_path / "out.ipynb")
    assert figures["status"] == "ok" and figures["seconds"] > 0 and figures["peak_mb"] > 10
    out = json.loads((tmp_path / "out.ipynb").read_text())
    assert "".join(out["cells"][0]["outputs"][0]["text"]) == "1000000\n"
    assert out["cells"][0]["execution_count"] == 1 and "execution" not in out["cells"][0]["metadata"]


def test_table_marks_planned_notebooks_and_keeps_old_rows(monkeypatch):
    # a syllabus row whose notebook is not written yet is marked planned
    monkeypatch.setattr(report, "SYLLABUS", report.SYLLABUS + [("13", "future", "a lesson to come", "digits")])
    results = {"00_introduction": {"status": "ok", "seconds": 7.04, "peak_mb": 740,
                                   "metrics": {"bigram_nats_per_char": 2.4592}}}
    old = {"01": "| 01 | old row | ... |"}
    lines = report.table(results, old, "owner/name").splitlines()
    assert len(lines) == 2 + len(report.SYLLABUS)
    assert "| 7 s | 740 MB | bigram_nats_per_char 2.459 |" in lines[2]
    assert "github/owner/name/blob/main/notebooks/00_introduction.ipynb" in lines[2]
    assert lines[3] == old["01"]
    assert lines[-1] == "| 13 | future | a lesson to come | digits | *planned* | | | |"
    assert "*planned*" not in "\n".join(lines[:-1])  # every other notebook exists


def test_readme_has_the_syllabus_markers():
    text = (paths.root() / "README.md").read_text()
    assert text.count(report.START) == 1 and text.count(report.END) == 1
    block = text.split(report.START)[1].split(report.END)[0]
    assert all(f"| {number} |" in block for number, *_ in report.SYLLABUS)


def test_yardstick_reads_recorded_metrics(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path)
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "00_introduction.json").write_text('{"bigram_nats_per_char": 2.4592}')
    old = {"HMM, 32 states, Baum-Welch": "| 01 | HMM, 32 states, Baum-Welch | names (test split) | 2.286 | 3.298 |"}
    lines = report.yardstick(old).splitlines()
    assert lines[2] == "| 00 | bigram, add-one smoothing | names (test split) | 2.459 | 3.548 |"
    assert lines[3] == old["HMM, 32 states, Baum-Welch"] and len(lines) == 4


def test_image_yardstick_reads_recorded_metrics(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path)
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "08_gan.json").write_text(
        '{"cgan_digits_fid": 2.041, "cgan_min_class_share": 0.097, "cgan_class_agreement": 0.988, '
        '"cgan_distance_ratio": 1.254, "real_digits_fid": 1.4, "real_min_class_share": 0.078}')
    old = {"DCGAN": "| 08 | DCGAN | 2.85 | 0.079 |  | 1.31 |"}
    lines = report.image_yardstick(old).splitlines()
    assert lines[2] == old["DCGAN"]
    assert lines[3] == "| 08 | conditional GAN (DCGAN with labels) | 2.04 | 0.097 | 98.8% | 1.25 |"
    assert lines[4] == "| 08 | real test digits, scored against the training digits | 1.40 | 0.078 |  | 1.00 |"
    assert len(lines) == 5  # rows with neither a recorded figure nor an old line are left out


# Issue 18: make report never writes a half-updated README ----------------------------------------

README = f"""# Course

{report.START}
old syllabus
{report.END}

{report.YARD_START}
old yardstick
{report.YARD_END}

{report.IMAGE_START}
old images
{report.IMAGE_END}
"""


def _fake_course(tmp_path, monkeypatch):
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    (root / "README.md").write_text(README)
    (root / "pyproject.toml").write_text('[tool.course]\nrepository = "owner/name"\n')
    (root / "notebooks" / "00_introduction.ipynb").write_text("{}")
    monkeypatch.setattr(paths, "root", lambda: root)

    def measure(notebook, in_place):  # stands in for running the notebook
        folder = paths.build_dir() / "metrics"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "00_introduction.json").write_text('{"bigram_nats_per_char": 2.4')  # cut off by a killed kernel
        return {"status": "ok", "seconds": 1.0, "peak_mb": 100,
                "metrics": metrics.read_figures(folder / "00_introduction.json") or {}}

    monkeypatch.setattr(report, "measure", measure)
    return root


def test_report_survives_a_damaged_metrics_file(tmp_path, monkeypatch):
    root = _fake_course(tmp_path, monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert report.main([str(root / "notebooks" / "00_introduction.ipynb")]) == 0
    assert sum("is damaged" in str(w.message) for w in caught) == 1
    text = (root / "README.md").read_text()
    assert "old syllabus" not in text and "| 00 | [introduction]" in text


def test_report_writes_the_readme_whole_or_not_at_all(tmp_path, monkeypatch):
    root = _fake_course(tmp_path, monkeypatch)

    def broken(old_rows):
        raise RuntimeError("the image table failed")

    monkeypatch.setattr(report, "image_yardstick", broken)
    with pytest.raises(RuntimeError, match="the image table failed"):
        report.main([str(root / "notebooks" / "00_introduction.ipynb")])
    assert (root / "README.md").read_text() == README  # not half-updated

    monkeypatch.undo()
    root = _fake_course(tmp_path / "again", monkeypatch)

    def full(out, text):  # a stand-in writer: the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(metrics, "_write_text", full)
    with pytest.raises(OSError, match="No space left"):
        report.main([str(root / "notebooks" / "00_introduction.ipynb")])
    assert (root / "README.md").read_text() == README
    assert [p.name for p in root.iterdir() if ".part" in p.name] == []


def test_rl_table_reads_notebook_06_and_keeps_the_old_block_without_it(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "build_dir", lambda: tmp_path)
    (tmp_path / "metrics").mkdir()
    assert report.rl_table("\n| old |\n") == "| old |"
    (tmp_path / "metrics" / "06_rl_finetuning.json").write_text(
        '{"base_reward": 0.0034, "rl_beta": 0.15, "rl_reward": 0.778, "rl_kl": 3.77, "rl_distinct": 0.869, '
        '"dpo_true_reward": 1.98, "dpo_kl": 4.72, "dpo_distinct": 0.92, "rm_accuracy": 0.978}')
    lines = report.rl_table("| old |").splitlines()
    assert lines[2] == "| base model (the reference policy) | ends in z | 0.3% | 0 (itself) |  |"
    assert lines[3] == "| REINFORCE with a KL penalty, β = 0.15 | ends in z | 77.8% | 3.77 | 87% |"
    assert lines[4] == "| DPO from the same preferences, 200 steps | hidden preference rule | 1.98 | 4.72 | 92% |"
    assert "97.8%" in lines[-1]
