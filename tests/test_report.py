"""helpers.report: measuring a notebook, the table, the README block."""

import json

import nbformat

from helpers import paths, report


def test_run_one_executes_and_measures(tmp_path):
    notebook = tmp_path / "99_tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = [0] * 10**6\nprint(len(x))")])
    nbformat.write(nb, notebook)
    figures = report.run_one(notebook, tmp_path / "out.ipynb")
    assert figures["status"] == "ok" and figures["seconds"] > 0 and figures["peak_mb"] > 10
    out = json.loads((tmp_path / "out.ipynb").read_text())
    assert "".join(out["cells"][0]["outputs"][0]["text"]) == "1000000\n"
    assert out["cells"][0]["execution_count"] == 1 and "execution" not in out["cells"][0]["metadata"]


def test_table_marks_planned_notebooks_and_keeps_old_rows():
    results = {"00_introduction": {"status": "ok", "seconds": 7.04, "peak_mb": 740,
                                   "metrics": {"bigram_nats_per_char": 2.4592}}}
    old = {"01": "| 01 | old row | ... |"}
    lines = report.table(results, old, "owner/name").splitlines()
    assert len(lines) == 2 + len(report.SYLLABUS)
    assert "| 7 s | 740 MB | bigram_nats_per_char 2.459 |" in lines[2]
    assert "github/owner/name/blob/main/notebooks/00_introduction.ipynb" in lines[2]
    assert lines[3] == old["01"]
    assert "*planned*" in lines[-1]


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
        '{"cgan_digits_fid": 2.041, "cgan_min_class_share": 0.097, "cgan_class_agreement": 0.988}')
    old = {"DCGAN": "| 08 | DCGAN | 2.85 | 0.079 |  |"}
    lines = report.image_yardstick(old).splitlines()
    assert lines[2] == old["DCGAN"]
    assert lines[3] == "| 08 | conditional GAN (DCGAN with labels) | 2.04 | 0.097 | 98.8% |"
    assert len(lines) == 4  # rows with neither a recorded figure nor an old line are left out
