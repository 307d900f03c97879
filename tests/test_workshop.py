"""WORKSHOP.md, the instructor's guide: every command in it is run (here, or by CI's .ci/run),
and what it shows (links, the plan of the day, a check's output) is what the course produces."""

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import colab, data, paths, workshop
from helpers.checks._core import run

ROOT = paths.root()
GUIDE = ROOT / "WORKSHOP.md"
CI = ROOT / ".ci" / "run"
HUB = "https://hub.example.org"

# Commands of the guide that are too slow or too big for a unit test: CI (.ci/run) runs each one.
RUN_BY_CI = ("make test", "make prefetch", "make student", "make lab-smoke")
# Commands that one of those runs: `make lab-smoke` starts `make lab` and talks to it.
RUN_INSIDE = {"make lab": "make lab-smoke"}
# Settings a CI command may carry in the guide: .ci/run exports COURSE_DATA_MIRROR for every step.
CI_SETTINGS = ("COURSE_DATA_MIRROR",)
# The guide's example folders; a block run here gets temporary folders in their place.
FOLDERS = ("/srv/course-data", "/media/usb/course-data")


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def fenced(text: str) -> list[tuple[str, str]]:
    """Every fenced code block of a markdown text: (language, body)."""
    found, language, body = [], None, []
    for line in text.splitlines(keepends=True):
        if language is None and line.startswith("```"):
            language, body = line[3:].strip(), []
        elif language is not None and line.rstrip() == "```":
            found.append((language, "".join(body)))
            language = None
        elif language is not None:
            body.append(line)
    assert language is None, "a code block of WORKSHOP.md is not closed"
    return found


def blocks(kind: str) -> list[str]:
    """The code blocks of the guide fenced as ```kind."""
    return [body for language, body in fenced(guide()) if language == kind]


def shell_blocks() -> list[str]:
    return blocks("sh")


def commands(block: str) -> list[str]:
    """The commands of a shell block: comments dropped, continued lines joined."""
    out = []
    for line in block.replace("\\\n", " ").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(line)
    return out


def split_settings(command: str) -> tuple[dict, str]:
    """``VAR=value make x`` -> ({VAR: value}, "make x")."""
    words = shlex.split(command)
    settings = {}
    while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        settings[name] = value
    return settings, " ".join(words)


def ci_command(command: str) -> bool:
    settings, rest = split_settings(command)
    return (rest in RUN_BY_CI or rest in RUN_INSIDE) and set(settings) <= set(CI_SETTINGS)


def ci_block(block: str) -> bool:
    return all(ci_command(c) for c in commands(block))


def ci_runs(command: str, script: str) -> bool:
    """True if the shell script runs ``make <targets>`` (alone, or among other targets)."""
    targets = command.split()[1:]
    for line in script.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line)
        for match in re.finditer(r"(?:^|[;&|(]|\btime\b|\bthen\b|\bdo\b)\s*(?:\w+=\S*\s+)*make\b([^;&|)]*)", line):
            words = [w for w in match.group(1).split() if not w.startswith("-") and "=" not in w]
            if all(t in words for t in targets):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Every command is run


def test_guide_has_commands_and_every_one_is_run_here_or_in_ci():
    shell = shell_blocks()
    assert shell, "WORKSHOP.md has no shell code blocks"
    languages = {language for language, _ in fenced(guide())}
    assert languages <= {"sh", "python", "text"}, \
        f"code blocks of WORKSHOP.md are fenced as sh (commands), python or text, not {languages}"
    here = [b for b in shell if not ci_block(b)]
    for block in here:  # run by test_guide_block_runs: nothing slow or long-running in them
        heavy = [c for c in commands(block) if split_settings(c)[1] in RUN_BY_CI + tuple(RUN_INSIDE)
                 and split_settings(c)[1] != "make prefetch"]
        assert not heavy, f"a block this test runs itself has commands for CI in it: {heavy}; " \
            "put them in a block of their own"
    script = CI.read_text(encoding="utf-8")
    needed = sorted({RUN_INSIDE.get(split_settings(c)[1], split_settings(c)[1])
                     for b in shell if ci_block(b) for c in commands(b)})
    missing = [c for c in needed if not ci_runs(c, script)]
    assert not missing, f".ci/run must run these commands of WORKSHOP.md: {missing}"
    if any(CI_SETTINGS[0] in c for b in shell if ci_block(b) for c in commands(b)):
        assert "export COURSE_DATA_MIRROR" in script


def test_ci_runs_recognises_make_lines():
    script = "set -e\ntime make test\nmake prefetch student  # data, edition\nmake test-colab\n"
    assert ci_runs("make test", script) and ci_runs("make prefetch", script)
    assert ci_runs("make student", script) and not ci_runs("make lab-smoke", script)
    assert not ci_runs("make test", "make test-colab\n# make test\n")
    assert not ci_command("COURSE_DATA_DIR=/x make test") and ci_command("COURSE_DATA_MIRROR=/x make lab")


def _make_ready() -> str | None:
    """Why `make` targets cannot run here, or None: they need make and this very .venv, set up."""
    if shutil.which("make") is None:
        return "make is not installed"
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        return "the tests run outside the repository's .venv (make would set up another one)"
    if subprocess.run(["make", "-q", "-C", str(ROOT), ".venv/.installed"], capture_output=True).returncode:
        return ".venv is not set up for the current pyproject.toml"
    return None


def _mirror() -> Path:
    """A folder with the downloads, to stand in for the internet: the CI mirror, or data/."""
    for folder in (os.environ.get("COURSE_DATA_MIRROR"), ROOT / "data"):
        if folder and all((Path(folder) / d.filename).is_file() for d in data.DOWNLOADS.values()):
            return Path(folder)
    pytest.skip("no copy of the downloads (set COURSE_DATA_MIRROR, or run make prefetch)")


def _run_block(block: str, tmp_path: Path) -> subprocess.CompletedProcess:
    script = block
    for i, folder in enumerate(FOLDERS):
        script = script.replace(folder, str(tmp_path / f"folder{i}"))
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(COURSE_DATA_DIR=str(tmp_path / "cache"), COURSE_DATA_MIRROR=str(_mirror()))
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


LOCAL_BLOCKS = [b for b in shell_blocks() if not ci_block(b)] if GUIDE.is_file() else []


@pytest.mark.parametrize("block", LOCAL_BLOCKS, ids=[commands(b)[0][:40] for b in LOCAL_BLOCKS])
def test_guide_block_runs(block, tmp_path, monkeypatch, offline):
    why = _make_ready()
    if why:
        pytest.skip(why)
    done = _run_block(block, tmp_path)
    assert done.returncode == 0, f"the block\n{block}\nfailed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"

    if "nbgitpuller-link" in block:  # every link, for the repository setting
        for notebook in workshop.notebooks():
            assert workshop.nbgitpuller_url(HUB, notebook) in done.stdout
            assert workshop.binder_url(notebook) in done.stdout
        assert workshop.nbgitpuller_url(HUB) in done.stdout
    if "make prefetch" in block:  # the shared folder holds every download, good, and is enough
        shared = tmp_path / "folder0"
        assert FOLDERS[0] in block and shared.is_dir()
        for item in data.DOWNLOADS.values():
            assert hashlib.sha256((shared / item.filename).read_bytes()).hexdigest() == item.sha256
        assert (shared / "digits_classifier.keras").is_file()
        assert not any(os.stat(f).st_mode & 0o022 for f in shared.iterdir()), "writable by others"
        before = {f.name: f.stat().st_mtime_ns for f in shared.iterdir()}
        monkeypatch.setenv("COURSE_DATA_DIR", str(shared))
        monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
        assert len(data.load("names", split="test")) > 3000  # offline, from the shared folder only
        assert {f.name: f.stat().st_mtime_ns for f in shared.iterdir()} == before, "it wrote"


def test_jupyterhub_setting_names_the_shared_folder():
    Config = pytest.importorskip("traitlets.config").Config

    (config,) = [b for b in blocks("python") if "Spawner" in b]
    c = Config()
    exec(config, {"c": c})
    assert c.Spawner.environment == {"COURSE_DATA_DIR": FOLDERS[0]}
    assert any(f"COURSE_DATA_DIR={FOLDERS[0]}" in c for b in shell_blocks() for c in commands(b))


# ---------------------------------------------------------------------------------------------
# What the guide shows


def test_url_templates_are_the_ones_used():
    owner, name = colab.repository().split("/")
    notebook = "00_introduction.ipynb"
    filled = {t.strip().format(hub=HUB, owner=owner, name=name, branch="main", notebook=notebook)
              for t in blocks("text") if "{owner}" in t}
    assert filled == {workshop.nbgitpuller_url(HUB, notebook), workshop.binder_url(notebook)}


def test_nbgitpuller_url_opens_the_student_edition():
    url = workshop.nbgitpuller_url(HUB + "/", "notebooks/05_gpt.ipynb", repo="me/my-course", branch="dev/x")
    assert url == (f"{HUB}/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme%2Fmy-course"
                   "&branch=dev%2Fx&urlpath=lab%2Ftree%2Fmy-course%2Fstudent%2F05_gpt.ipynb")
    assert workshop.binder_url(None, repo="me/my-course") == \
        "https://mybinder.org/v2/gh/me/my-course/main?labpath=student"
    with pytest.raises(ValueError, match="hub's address"):
        workshop.nbgitpuller_url("hub.example.org")


def test_nbgitpuller_link_needs_a_hub(capsys):
    with pytest.raises(SystemExit, match="usage"):
        workshop.main([])
    with pytest.raises(SystemExit, match="hub's address"):
        workshop.main(["hub.example.org"])
    workshop.main([HUB])
    out = capsys.readouterr().out
    assert colab.repository() in out and out.count("git-pull?") == len(workshop.notebooks()) + 1


def test_plan_of_the_day_is_the_readme_s_measurements():
    text = guide()
    start = text.index(workshop.PLAN_START) + len(workshop.PLAN_START)
    block = text[start : text.index(workshop.PLAN_END)].strip()
    assert block == workshop.plan(), ("WORKSHOP.md's plan of the day is out of date with the README's "
                                      "syllabus table: run `python -m helpers.workshop --update-guide`")


def test_measured_reads_the_syllabus_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = workshop.measured(readme)
    for notebook in workshop.notebooks():
        row = rows[notebook[:2]]
        assert row["name"] == notebook[3:-6]
        assert row["seconds"] and row["memory_mb"], \
            f"the README's syllabus table has no time or memory for {notebook}: run make report"
    total = sum(r["seconds"] for r in rows.values() if r["seconds"] is not None)
    assert f"**{total} s**" in workshop.plan(readme)
    session_numbers = [n for _, numbers in workshop.SESSIONS for n in numbers]
    assert sorted(session_numbers) == [f"{i:02d}" for i in range(13)], "every notebook in one session"


def test_check_output_example_is_what_a_check_prints(capsys):
    (example,) = [b for b in blocks("text") if "not yet" in b]
    cases = [("three counts", (np.array([1.0, 1.0, 2.0]),), np.array([0.25, 0.25, 0.5])),
             ("one count", (np.array([3.0]),), np.array([1.0]))]

    def stub(counts):
        raise NotImplementedError  # your code here

    results = [run("normalise", f, cases) for f in (stub, lambda c: c / c.max(), lambda c: c / c.sum())]
    assert capsys.readouterr().out == example
    assert [bool(r) for r in results] == [False, False, True] and results[0].stub


def test_make_lab_passes_allow_root_only_to_root():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")

    def recipe(*prefix):
        done = subprocess.run([*prefix, "make", "-n", "-C", str(ROOT), "lab", "LAB_ARGS=--no-browser"],
                              capture_output=True, text=True, env=dict(os.environ, HOME="/tmp"))
        assert done.returncode == 0, done.stderr
        return done.stdout.replace("\\\n", " ")

    mine = recipe()
    assert "jupyter lab" in mine and "--no-browser" in mine
    assert ("--allow-root" in mine) == (os.getuid() == 0)
    if os.getuid() == 0 and shutil.which("setpriv"):  # and as a normal user
        other = recipe("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
        assert "jupyter lab" in other and "--allow-root" not in other


def test_update_guide_writes_workshop_md_atomically(tmp_path, monkeypatch):
    import errno

    from helpers import metrics

    text = guide()
    start = text.index(workshop.PLAN_START) + len(workshop.PLAN_START)
    stale = text[:start] + "\nan old plan\n" + text[text.index(workshop.PLAN_END):]
    copy = tmp_path / "WORKSHOP.md"
    copy.write_text(stale, encoding="utf-8")

    def full(out, text):  # a stand-in writer: the disk fills up half-way
        out.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(metrics, "_write_text", full)
        with pytest.raises(OSError, match="No space left"):
            workshop.update_guide(copy)
    assert copy.read_text(encoding="utf-8") == stale  # was cut in half by write_text
    assert sorted(os.listdir(tmp_path)) == ["WORKSHOP.md"]  # no temporary file left
    assert workshop.update_guide(copy) is True
    assert copy.read_text(encoding="utf-8") == text.replace(text[start:text.index(workshop.PLAN_END)],
                                                            "\n" + workshop.plan() + "\n")
    assert workshop.update_guide(copy) is False
