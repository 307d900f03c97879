"""The student edition (``make student``) is the lessons without outputs and without Solutions,
committed, and in sync with the lessons."""

import json

import pytest

from helpers import colab, paths, student

LESSONS = sorted((paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_the_committed_student_edition_is_in_sync_with_the_lessons():
    stale = student.out_of_date()
    assert not stale, f"run `make student` and commit student/: out of date: {stale}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_a_student_notebook_is_its_lesson_without_outputs_and_solutions(lesson):
    nb = json.loads(lesson.read_text())
    path = paths.root() / "student" / lesson.name
    edition = json.loads(path.read_text())
    start = student.solutions_start(nb["cells"])
    assert start is not None, "the lesson has no '## Solutions' section"
    kept = nb["cells"][:start]
    assert len(edition["cells"]) == len(kept)
    solutions = {"".join(c["source"]).strip() for c in nb["cells"][start:] if c["cell_type"] == "code"}
    for mine, theirs in zip(edition["cells"], kept):
        assert mine["cell_type"] == theirs["cell_type"]
        if mine["cell_type"] == "code":
            assert mine["outputs"] == [] and mine["execution_count"] is None
            assert "".join(mine["source"]).strip() not in solutions or not "".join(mine["source"]).strip()
    text = json.dumps(edition)
    assert "## Solutions" not in text
    assert colab.badge(f"student/{lesson.name}", colab.repository()) in "".join(edition["cells"][0]["source"])
    assert f"notebooks/{lesson.name}" not in "".join(edition["cells"][0]["source"])


def test_make_student_is_idempotent_and_removes_editions_of_deleted_lessons(tmp_path, monkeypatch):
    (tmp_path / "notebooks").mkdir()
    lesson = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 00 · Toy\n", colab.badge("notebooks/00_toy.ipynb", "a/b")]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}],
         "source": ["def f(x):\n", "    raise NotImplementedError  # your code here"]},
        {"cell_type": "markdown", "metadata": {}, "source": ["## Solutions\n", "Spoilers below."]},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [], "source": ["def f(x):\n", "    return x"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks" / "00_toy.ipynb").write_text(json.dumps(lesson))
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "07_gone.ipynb").write_text("{}")
    assert student.write(tmp_path) == ["00_toy.ipynb", "07_gone.ipynb"]
    assert student.write(tmp_path) == [] and student.out_of_date(tmp_path) == []
    written = json.loads((tmp_path / "student" / "00_toy.ipynb").read_text())
    assert len(written["cells"]) == 2 and written["cells"][1]["outputs"] == []
    assert "return x" not in json.dumps(written)
    assert not (tmp_path / "student" / "07_gone.ipynb").exists()


def test_solutions_must_be_the_last_section():
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "## Solutions"},
                    {"cell_type": "markdown", "metadata": {}, "source": "## Appendix"}]}
    with pytest.raises(ValueError, match="last section"):
        student.edition(nb, "student/x.ipynb", "a/b")
