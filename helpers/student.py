"""The student edition: every lesson without its outputs and without its ``## Solutions`` section
(``make student``), for workshops where the answers should not be in view.

    python -m helpers.student            # write student/NN_name.ipynb for every notebook
    python -m helpers.student --check    # exit 1, naming the files, if the edition is out of date

Everything else is identical to the lesson, except that the Colab badge points at the student
file. The edition is committed, and a test keeps it in sync with the lessons. Because the
Solutions section is the lesson's last section, the student edition runs top to bottom wherever
the lesson does (its exercise checks print "not yet" on the stubs instead of failing).
"""

import copy
import json
import re
import sys
from pathlib import Path

from helpers import colab, paths

SOLUTIONS = re.compile(r"^## Solutions\s*$", flags=re.M)


def _source(cell) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def solutions_start(cells: list) -> int | None:
    """The index of the markdown cell that opens ``## Solutions``, or None."""
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and SOLUTIONS.search(_source(cell)):
            return i
    return None


def edition(nb: dict, student_path: str, repo: str) -> dict:
    """The student edition of a lesson ``nb`` (a notebook as a dict): outputs and execution counts
    cleared, the cells from ``## Solutions`` on removed, the badge pointing at ``student_path``."""
    nb = copy.deepcopy(nb)
    start = solutions_start(nb["cells"])
    if start is not None:
        if any(re.search(r"^## ", _source(c), flags=re.M) for c in nb["cells"][start + 1:] if c["cell_type"] == "markdown"):
            raise ValueError("## Solutions must be the notebook's last section (COURSE.md, item 5)")
        nb["cells"] = nb["cells"][:start]
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        source = _source(cell)
        new = re.sub(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)", lambda _: colab.badge(student_path, repo), source)
        if new != source:
            cell["source"] = new.splitlines(keepends=True)
    return nb


def _text(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def build(root: Path | None = None) -> dict[Path, str]:
    """The student edition of every lesson: {student file: its JSON text}."""
    root = paths.root() if root is None else root
    repo = colab.repository()
    out = {}
    for lesson in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        target = root / "student" / lesson.name
        nb = json.loads(lesson.read_text(encoding="utf-8"))
        out[target] = _text(edition(nb, f"student/{lesson.name}", repo))
    return out


def out_of_date(root: Path | None = None) -> list[str]:
    """Student files that are missing, stale, or left over from a lesson that no longer exists."""
    root = paths.root() if root is None else root
    wanted = build(root)
    stale = [p.name for p, text in wanted.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    extra = [p.name for p in (root / "student").glob("*.ipynb") if p not in wanted]
    return sorted(stale + extra)


def write(root: Path | None = None) -> list[str]:
    """Write the student edition; remove student files whose lesson is gone. Returns what changed."""
    root = paths.root() if root is None else root
    changed = out_of_date(root)
    wanted = build(root)
    (root / "student").mkdir(exist_ok=True)
    for path, text in wanted.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            part = path.with_name(f".{path.name}.part")
            part.write_text(text, encoding="utf-8")
            part.replace(path)
    for path in (root / "student").glob("*.ipynb"):
        if path not in wanted:
            path.unlink()
    return changed


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--check"]:
        stale = out_of_date()
        if stale:
            print("the student edition is out of date (run `make student` and commit student/): " + ", ".join(stale))
            return 1
        print("the student edition is in sync with the lessons")
        return 0
    if argv:
        print("usage: python -m helpers.student [--check]")
        return 2
    changed = write()
    print("student edition: " + (f"rewrote {', '.join(changed)}" if changed else "already up to date"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
