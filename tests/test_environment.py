"""One package list: environment.yml installs the project from pyproject.toml."""

import re
import sys

import yaml

from helpers import paths

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_environment_yml_installs_this_project():
    env = yaml.safe_load((paths.root() / "environment.yml").read_text())
    assert env["name"] and "pip" in env["dependencies"]
    assert any(re.fullmatch(r"python(=3\.1[0-9])?", str(d)) for d in env["dependencies"])
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e .[dev]"]  # the project itself: its packages are listed in pyproject.toml only


def test_pyproject_names_what_the_course_needs_without_exact_pins():
    project = tomllib.loads((paths.root() / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    everything = project["dependencies"] + extras["dev"] + extras["lab"]
    names = {re.split(r"[<>=!\[ ]", d)[0] for d in everything}
    assert {"tensorflow", "keras", "numpy", "matplotlib", "scikit-learn", "tqdm"} <= names
    assert {"jupyterlab", "nbval", "pytest", "ruff"} <= names
    assert "tensorflow>=2.16" in project["dependencies"] and "keras>=3" in project["dependencies"]
    assert not [d for d in everything if "==" in d], "no exact pins: Colab keeps its own versions"
    assert "jupyterlab" not in project["dependencies"]  # Colab's install must not bring a second Jupyter
