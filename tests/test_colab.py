"""Colab: badges point at each notebook's own path, and the bootstrap cell installs the helpers
on Colab (simulated) without touching TensorFlow, Keras or NumPy, and does nothing elsewhere."""

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from helpers import colab, paths, student

NOTEBOOKS = sorted((paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_badge_and_bootstrap_cell_point_at_this_notebook(notebook):
    repo = colab.repository()
    cells = json.loads(notebook.read_text())["cells"]
    first_markdown = "".join(cells[0]["source"])
    assert colab.badge(f"notebooks/{notebook.name}", repo) in first_markdown
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert "".join(first_code["source"]) == colab.bootstrap_cell(repo).rstrip("\n")


def test_colab_links_rewrites_a_fork(tmp_path, monkeypatch):
    notebook = tmp_path / "notebooks" / "00_introduction.ipynb"
    notebook.parent.mkdir()
    shutil.copy(NOTEBOOKS[0], notebook)
    monkeypatch.setattr(paths, "root", lambda: tmp_path)
    assert colab.rewrite_notebook(notebook, "someone/fork")
    text = notebook.read_text()
    assert "github/someone/fork/blob/main/notebooks/00_introduction.ipynb" in text
    assert "git+https://github.com/someone/fork" in text
    assert not colab.rewrite_notebook(notebook, "someone/fork")  # a second run changes nothing
    with pytest.raises(ValueError, match="owner/name"):
        colab.rewrite_notebook(notebook, "not a slug")


RUN_CELL = textwrap.dedent("""
    import sys, types
    if sys.argv[1] == "colab":  # a stand-in for the module that exists only on Colab
        google = types.ModuleType("google")
        google.colab = types.ModuleType("google.colab")
        sys.modules["google"], sys.modules["google.colab"] = google, google.colab
    from IPython.core.interactiveshell import InteractiveShell
    result = InteractiveShell.instance().run_cell(open(sys.argv[2]).read())
    sys.exit(0 if result.success else 1)
""")

VERSIONS = "import importlib.metadata as m; print([m.version(p) for p in ('tensorflow', 'keras', 'numpy')])"


def test_bootstrap_cell_installs_the_helpers_only_on_colab(tmp_path):
    """A fresh environment that sees this one's packages (as Colab has its own), and the
    bootstrap cell with its GitHub URL replaced by this working tree."""
    env = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    python = str(env / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / "colab" / site.split(str(env) + "/")[1] / "preinstalled.pth").write_text(sysconfig.get_paths()["purelib"])
    repo = colab.repository()
    cell = colab.bootstrap_cell(repo).replace(f"git+https://github.com/{repo}", paths.root().as_uri())
    (tmp_path / "cell.py").write_text(cell)
    before = subprocess.run([python, "-c", VERSIONS], capture_output=True, text=True, check=True).stdout
    dists_before = {p.name for p in Path(site).glob("*.dist-info")}

    elsewhere = subprocess.run([python, "-c", RUN_CELL, "local", str(tmp_path / "cell.py")],
                               capture_output=True, text=True, cwd=tmp_path)
    assert elsewhere.returncode == 0 and "pip" not in elsewhere.stdout + elsewhere.stderr
    assert not list((tmp_path / "colab").rglob("helpers/__init__.py"))

    on_colab = subprocess.run([python, "-c", RUN_CELL, "colab", str(tmp_path / "cell.py")],
                              capture_output=True, text=True, cwd=tmp_path)
    assert on_colab.returncode == 0, on_colab.stdout + on_colab.stderr
    where = subprocess.run([python, "-c", "import helpers.data, helpers.checks; print(helpers.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert where.startswith(site), where  # installed into the new environment, not found in the tree
    after = subprocess.run([python, "-c", VERSIONS], capture_output=True, text=True, check=True).stdout
    assert after == before
    installed = {p.name for p in Path(site).glob("*.dist-info")} - dists_before
    assert [name.split("-")[0] for name in installed] == ["generative_models_from_scratch"], installed


def test_colab_links_rewrites_both_editions_and_the_readme_and_keeps_the_student_edition_in_sync(tmp_path, monkeypatch):
    """``make colab-links`` (``colab.set_repository``) on a copy of the repository: every badge of
    the lessons, the student edition and the README points at the fork, and the student edition is
    still exactly what ``make student`` builds from the rewritten lessons."""
    root = paths.root()
    for folder in ("notebooks", "student"):
        (tmp_path / folder).mkdir()
        for notebook in sorted((root / folder).glob("[0-9][0-9]_*.ipynb")):
            shutil.copy(notebook, tmp_path / folder / notebook.name)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, tmp_path / name)
    monkeypatch.setattr(paths, "root", lambda: tmp_path)
    old = colab.repository()
    student.write(tmp_path)  # the copy starts in sync (whether the committed edition is: test_student.py)
    readme_links = colab_links(tmp_path / "README.md")
    lessons = sorted(p.name for p in (tmp_path / "notebooks").glob("*.ipynb"))
    assert len(lessons) == len(NOTEBOOKS) and len(readme_links) >= 2 * len(lessons)

    fork = "someone/fork"
    colab.set_repository(fork)
    assert colab.repository() == fork
    for folder in ("notebooks", "student"):
        for name in lessons:
            text = (tmp_path / folder / name).read_text()
            cells = json.loads(text)["cells"]
            assert colab.badge(f"{folder}/{name}", fork) in "".join(cells[0]["source"]), f"{folder}/{name}: badge"
            first_code = next(c for c in cells if c["cell_type"] == "code")
            assert "".join(first_code["source"]).rstrip("\n") == colab.bootstrap_cell(fork).rstrip("\n"), \
                f"{folder}/{name}: bootstrap"
            assert old not in text, f"{folder}/{name} still names {old}"
    links = colab_links(tmp_path / "README.md")
    assert len(links) == len(readme_links) and all(link.startswith(f"github/{fork}/blob/main/") for link in links)
    for name in lessons:  # one badge for each edition of each notebook
        assert f"github/{fork}/blob/main/notebooks/{name}" in links and f"github/{fork}/blob/main/student/{name}" in links
    assert student.out_of_date(tmp_path) == []  # the rewritten student edition is what `make student` now builds

    files = sorted(tmp_path.rglob("*.ipynb")) + [tmp_path / "README.md", tmp_path / "pyproject.toml"]
    before = {p: p.read_text() for p in files}
    colab.set_repository(fork)  # a second run changes nothing
    assert {p: p.read_text() for p in files} == before


def test_colab_links_writes_the_bootstrap_cell_as_the_lessons_have_it(tmp_path, monkeypatch):
    notebook = tmp_path / "notebooks" / NOTEBOOKS[0].name
    notebook.parent.mkdir()
    shutil.copy(NOTEBOOKS[0], notebook)
    monkeypatch.setattr(paths, "root", lambda: tmp_path)
    colab.rewrite_notebook(notebook, "someone/fork")
    first_code = next(c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code")
    assert "".join(first_code["source"]) == colab.bootstrap_cell("someone/fork").rstrip("\n")


def colab_links(readme: Path) -> list[str]:
    """The part after colab.research.google.com/ of every Colab link in the README."""
    return re.findall(r"colab\.research\.google\.com/(github/[^)\s]+)", readme.read_text())
