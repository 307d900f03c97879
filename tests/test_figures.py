"""Every figure a notebook draws is displayed: in a fresh kernel, and in the committed outputs."""

import ast
import json
import re

import pytest

from helpers import paths

NOTEBOOKS = sorted((paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# calls that make a figure: pyplot's, and the course's own plot helpers
DRAWS = re.compile(r"\bplt\.(subplots|subplot|figure|plot|imshow|hist|scatter|bar|matshow)\(|"
                   r"\bplot\.(image_grid|heatmap|curves|latent_map|diagram|nearest_neighbours|show)\(")


def _code(cell) -> str:
    """A code cell's source with IPython magics replaced by `pass` (so that ``ast`` can parse it)."""
    return "\n".join(line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in "".join(cell["source"]).splitlines())


def _drawing_functions(cells) -> set[str]:
    """Names of the functions a notebook defines whose body draws a figure (directly, or through
    another such function), so that a cell calling one of them is known to draw."""
    bodies = {}
    for cell in cells:
        try:
            tree = ast.parse(_code(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                bodies[node.name] = ast.get_source_segment(_code(cell), node)
    drawing = {name for name, body in bodies.items() if DRAWS.search(body)}
    while True:
        more = {name for name, body in bodies.items() if name not in drawing
                and any(re.search(rf"\b{f}\(", body) for f in drawing)}
        if not more:
            return drawing
        drawing |= more


def _top_level_source(cell) -> str:
    """The cell's source outside function definitions: what runs when the cell runs."""
    source = _code(cell)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    return "\n".join(ast.get_source_segment(source, node) or "" for node in tree.body
                     if not isinstance(node, ast.FunctionDef | ast.ClassDef))


def figure_cells_without_images(notebook) -> list[str]:
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    drawing = _drawing_functions(cells)
    calls = DRAWS if not drawing else re.compile(DRAWS.pattern + "|" + "|".join(rf"\b{f}\(" for f in drawing))
    missing = []
    for cell in cells:
        if "no-figure" in cell.get("metadata", {}).get("tags", []):
            continue
        if calls.search(_top_level_source(cell)):
            if not any("image/png" in o.get("data", {}) for o in cell["outputs"]):
                missing.append(f"cell [{cell['execution_count']}]: " + "".join(cell["source"])[:60].replace("\n", " "))
    return missing


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_that_draws_shows_its_figure_in_the_committed_outputs(notebook):
    missing = figure_cells_without_images(notebook)
    assert not missing, "cells that draw a figure but have no image output (run `make execute`):\n" + "\n".join(missing)


def test_plain_figures_still_display_after_a_course_figure_in_a_fresh_kernel():
    """The cause of 01's missing figures: ``plot.style()`` switched interactive mode off on exit
    once the first course figure had loaded the inline backend."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (
        "from helpers import plot\nfig = plot.curves({'a': [1, 2, 3]})\nfig",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2]);",
        "with plot.style():\n    fig, ax = plt.subplots()\n    ax.plot([1, 3]);")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    images = ["image/png" in o.get("data", {}) for cell in nb.cells for o in cell.outputs]
    assert [any("image/png" in o.get("data", {}) for o in cell.outputs) for cell in nb.cells] == [True, True, True], images
