"""The exercise convention of COURSE.md (item 5), checked mechanically on every lesson:
exercises are new work (a stub's name is defined nowhere before ``## Exercises``), each coding
exercise has a stub and a one-line check, and ``## Solutions`` (the last section) proves every
worked solution with ``assert checks.name(...)``."""

import ast
import importlib
import json
import re

import pytest

from helpers import checks, paths

LESSONS = sorted((paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _source(cell) -> str:
    return "\n".join(line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in "".join(cell["source"]).splitlines())


def _heading(cells, pattern) -> int:
    found = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and re.search(pattern, _source(c), re.M)]
    assert len(found) == 1, f"expected one heading matching {pattern!r}, found {len(found)}"
    return found[0]


def _defined(source: str) -> set[str]:
    """Every name a piece of code binds: functions, classes, assignments, imports, loop targets."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _sections(lesson):
    cells = json.loads(lesson.read_text())["cells"]
    exercises = _heading(cells, r"^## Exercises\s*$")
    solutions = _heading(cells, r"^## Solutions\s*$")
    assert exercises < solutions, "## Solutions comes after ## Exercises"
    later = [c for c in cells[solutions + 1:] if c["cell_type"] == "markdown" and re.search(r"^## ", _source(c), re.M)]
    assert not later, "## Solutions must be the last section"
    return cells[:exercises], cells[exercises:solutions], cells[solutions:]


def _stubs(exercise_cells) -> list[str]:
    """The functions and classes defined at the top level of the exercise cells that raise
    NotImplementedError (a class stub, e.g. a Keras layer, raises it in its methods)."""
    names = []
    for cell in exercise_cells:
        if cell["cell_type"] == "code" and "raise NotImplementedError" in _source(cell):
            tree = ast.parse(_source(cell))
            names += [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    return names


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_exercises_are_new_work_with_checks_and_proved_solutions(lesson):
    lesson_cells, exercise_cells, solution_cells = _sections(lesson)
    stubs = _stubs(exercise_cells)
    assert len(stubs) >= 2, f"at least 2 coding exercises with a stub, found {stubs}"
    before = set().union(*(_defined(_source(c)) for c in lesson_cells if c["cell_type"] == "code"))
    copied = sorted(set(stubs) & before)
    assert not copied, f"stubs whose name the lesson already defines (an exercise must be new work): {copied}"
    headings = sum(len(re.findall(r"^### Exercise \d+[a-z]? · ", _source(c), re.M)) for c in exercise_cells
                   if c["cell_type"] == "markdown")
    assert headings >= len(stubs), "each coding exercise has a '### Exercise N · title' heading"
    exercise_code = "\n".join(_source(c) for c in exercise_cells if c["cell_type"] == "code")
    solution_code = "\n".join(_source(c) for c in solution_cells if c["cell_type"] == "code")
    spoiler = _source(solution_cells[0]) + "".join(_source(c) for c in solution_cells[1:2] if c["cell_type"] == "markdown")
    assert re.search(r"spoiler|answers? below|try the exercises first", spoiler, re.I), "Solutions opens with a spoiler warning"
    module = importlib.import_module(f"helpers.checks.n{lesson.name[:2]}")
    for stub in stubs:
        check = re.search(rf"^checks\.(\w+)\({stub}\b", exercise_code, re.M)
        assert check, f"exercise {stub}: no one-line check cell `checks.<name>({stub})`"
        name = check.group(1)
        assert name in module.__all__ and hasattr(checks, name), f"checks.{name} is not in helpers/checks/n{lesson.name[:2]}.py"
        assert re.search(rf"^assert checks\.{name}\(", solution_code, re.M), f"Solutions: no `assert checks.{name}(...)`"
        assert re.search(rf"^(def|class) {stub}\b", solution_code, re.M), \
            f"Solutions: no worked solution `def {stub}(...)` or `class {stub}`"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_every_checker_of_a_notebook_is_used_by_its_exercises(lesson):
    module = importlib.import_module(f"helpers.checks.n{lesson.name[:2]}")
    text = "\n".join(_source(c) for c in json.loads(lesson.read_text())["cells"] if c["cell_type"] == "code")
    unused = [name for name in module.__all__ if not re.search(rf"\bchecks\.{name}\(", text)]
    assert not unused, f"checkers no exercise of {lesson.name} uses: {unused}"


def test_stub_detection_sees_classes_as_well_as_functions():
    def cell(source):
        return {"cell_type": "code", "source": source}

    stubs = _stubs([cell("def f(x):\n    raise NotImplementedError  # your code here"),
                    cell("class Layer:\n    def call(self, x):\n        raise NotImplementedError  # your code here"),
                    cell("def helper(x):\n    return x")])
    assert stubs == ["f", "Layer"]
    lesson = "class Layer:\n    pass"  # a lesson cell that already defines the class stub
    assert set(stubs) & _defined(lesson) == {"Layer"}
