"""Colab: the badge at the top of every notebook and the bootstrap cell below it.

The repository the badges and bootstrap cells point at is one setting, ``[tool.course]
repository`` in pyproject.toml. For a fork, ``make colab-links REPO=owner/name`` (which runs
``python -m helpers.colab owner/name``) changes that setting and rewrites every notebook's badge
and bootstrap cell, and the README's badges, to match.

The bootstrap cell installs the helpers with ``%pip`` only when it runs on Colab, and elsewhere
does nothing. It installs this package with its run-time dependencies, which Colab already has,
so Colab's own TensorFlow, Keras and NumPy are left alone and no restart is needed.
"""

import json
import re
import sys
from pathlib import Path

from helpers import paths

PACKAGE = "generative-models-from-scratch"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
SLUG = r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+"


def in_colab() -> bool:
    """True when running on Google Colab."""
    return "google.colab" in sys.modules


def repository() -> str:
    """The ``owner/name`` slug from pyproject.toml's ``[tool.course] repository``."""
    text = (paths.root() / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^repository\s*=\s*"([^"]+)"', text, flags=re.M)
    if not match:
        raise RuntimeError("pyproject.toml has no [tool.course] repository setting")
    return match.group(1)


def badge(notebook: str, repo: str, branch: str = "main") -> str:
    """Markdown for the "Open in Colab" badge of ``notebook`` (a path such as
    ``notebooks/00_introduction.ipynb``)."""
    url = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}"
    return f"[![Open In Colab]({BADGE_IMAGE})]({url})"


def bootstrap_cell(repo: str) -> str:
    """The source of the notebooks' first code cell."""
    return (
        "# On Colab, install the course helpers from GitHub; anywhere else this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install -q "{PACKAGE} @ git+https://github.com/{repo}"\n'
    )


def _check_slug(repo: str) -> None:
    if not re.fullmatch(SLUG, repo):
        raise ValueError(f"REPO must look like owner/name, not {repo!r}")


def rewrite_notebook(path: Path, repo: str) -> bool:
    """Point the badge and the bootstrap cell of one notebook at ``repo``; True if it changed."""
    _check_slug(repo)
    nb = json.loads(path.read_text(encoding="utf-8"))
    relative = path.resolve().relative_to(paths.root()).as_posix()
    changed = False
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        new = re.sub(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)", lambda _: badge(relative, repo), source)
        if cell["cell_type"] == "code" and "google.colab" in source and "%pip install" in source:
            new = bootstrap_cell(repo).rstrip("\n")  # as the lessons have it: no trailing newline
        if new != source:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def set_repository(repo: str) -> None:
    """Change the setting in pyproject.toml, every notebook (both editions) and the README's badges."""
    _check_slug(repo)
    root = paths.root()
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(re.sub(r'^repository\s*=\s*"[^"]*"', f'repository = "{repo}"', text, flags=re.M),
                         encoding="utf-8")
    for notebook in sorted((root / "notebooks").glob("*.ipynb")) + sorted((root / "student").glob("*.ipynb")):
        if rewrite_notebook(notebook, repo):
            print(f"rewrote {notebook.relative_to(root)}")
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(re.sub(rf"colab\.research\.google\.com/github/{SLUG}/",
                             f"colab.research.google.com/github/{repo}/", text), encoding="utf-8")


def check_pins(pin_file: Path) -> list[str]:
    """What differs between this interpreter's packages and a pin file of ``name==version`` lines
    (and a ``# python: X.Y`` line): the environment ``make test-colab`` builds must really be
    Colab's runtime, or the second test run proves nothing. An empty list means all match."""
    from importlib import metadata

    problems = []
    for line in Path(pin_file).read_text().splitlines():
        if line.startswith("# python:"):
            wanted = line.split(":", 1)[1].split()[0]
            have = f"{sys.version_info.major}.{sys.version_info.minor}"
            if have != wanted:
                problems.append(f"python {have}, pinned {wanted}")
        elif "==" in line and not line.lstrip().startswith("#"):
            name, version = (part.strip() for part in line.split("#")[0].split("=="))
            try:
                have = metadata.version(name)
            except metadata.PackageNotFoundError:
                have = "not installed"
            if have != version:
                problems.append(f"{name} {have}, pinned {version}")
    return problems


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "--check-pins":
        problems = check_pins(Path(argv[1]))
        if problems:
            raise SystemExit(f"this environment is not the one {argv[1]} pins: " + "; ".join(problems))
        print(f"Colab's runtime as pinned in {argv[1]}: Python {sys.version.split()[0]}, " + ", ".join(
            line.strip() for line in Path(argv[1]).read_text().splitlines() if "==" in line and not line.startswith("#")))
        return
    if len(argv) != 1:
        raise SystemExit("usage: python -m helpers.colab owner/name   (or: make colab-links REPO=owner/name)")
    try:
        set_repository(argv[0])
    except ValueError as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
