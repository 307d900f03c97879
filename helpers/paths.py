"""Where things live: the repository root, the data cache and the build folder.

In a clone of the course, the root is the folder that holds ``pyproject.toml`` and ``helpers/``.
Installed elsewhere (Colab installs the helpers from GitHub), there is no repository, and the
current working directory takes its place.
"""

import os
from pathlib import Path


def root() -> Path:
    """The course repository's root, or the current directory outside a clone."""
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "notebooks").is_dir():
        return here
    return Path.cwd()


def resolve(path: str | os.PathLike) -> Path:
    """A path from a setting: absolute as given, relative to the repository root otherwise."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else root() / path


def data_dir() -> Path:
    """The data cache: ``$COURSE_DATA_DIR`` if set, else ``data/`` at the root."""
    return resolve(os.environ.get("COURSE_DATA_DIR") or "data")


def mirror_dir() -> Path | None:
    """The folder named by ``$COURSE_DATA_MIRROR`` (a local copy of the downloads), if set."""
    mirror = os.environ.get("COURSE_DATA_MIRROR")
    return resolve(mirror) if mirror else None


def build_dir() -> Path:
    """``build/`` at the root: metrics, reports and executed copies of notebooks."""
    return root() / "build"
