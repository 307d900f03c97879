"""Every notebook follows the course skeleton and is committed as a fresh, clean run.
(nbval runs the notebooks themselves; these are the checks of what is committed.)"""

import json
import re

import pytest

from helpers import paths
from helpers.report import SYLLABUS

NOTEBOOKS = sorted((paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks_and_they_are_in_the_syllabus():
    assert NOTEBOOKS
    names = {f"{number}_{name}.ipynb" for number, name, *_ in SYLLABUS}
    assert {p.name for p in NOTEBOOKS} <= names


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_skeleton_and_committed_outputs(notebook):
    nb = json.loads(notebook.read_text())
    cells = nb["cells"]
    number = notebook.name[:2]
    assert "".join(cells[0]["source"]).startswith(f"# {number} · "), "title: '# NN · Title'"
    sources = ["".join(c["source"]) for c in cells]
    for heading in ("## Summary", "## Exercises"):
        assert any(re.search(f"^{heading}$", s, flags=re.M) for s in sources), f"no '{heading}' section"
    assert any("train.seed(" in s for s in sources)
    code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "run `make execute`"
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"])
    text = json.dumps(nb)
    assert not re.search(r"/(work|root|home|tmp|Users)/[A-Za-z0-9_.-]+/", text), "a local path in the notebook"
    assert notebook.stat().st_size < 1_500_000
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}
    assert all(set(c["metadata"]) <= {"tags"} for c in cells), "stray cell metadata"
    assert f'metrics.record("{notebook.stem}"' in "\n".join(sources), "record the headline figures under the notebook's name"
