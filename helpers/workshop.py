"""Workshop links and the plan of the day in WORKSHOP.md.

Links that open the **student edition** (``student/NN_name.ipynb``) of the repository named by
``[tool.course] repository`` in pyproject.toml (``helpers.colab.repository()``):

- an nbgitpuller link, for a JupyterHub that has nbgitpuller installed: it clones the
  repository into the student's home (or pulls it, keeping the student's changes) and opens a
  notebook in JupyterLab;
- a Binder link: mybinder.org builds the repository from environment.yml and opens a notebook.

    python -m helpers.workshop https://hub.example.org    # make nbgitpuller-link HUB=...

The plan of the day in WORKSHOP.md (between ``<!-- plan:start -->`` and ``<!-- plan:end -->``)
is built from the README's syllabus table, which ``make report`` measures; after a new report,
``python -m helpers.workshop --update-guide`` rewrites it (a test checks that it is in sync).
"""

import re
import sys
from pathlib import Path
from urllib.parse import quote

from helpers import colab, paths

NBGITPULLER_TEMPLATE = (
    "{hub}/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2F{owner}%2F{name}"
    "&branch={branch}&urlpath=lab%2Ftree%2F{name}%2F{path}"
)
BINDER_TEMPLATE = "https://mybinder.org/v2/gh/{owner}/{name}/{branch}?labpath={path}"

PLAN_START, PLAN_END = "<!-- plan:start -->", "<!-- plan:end -->"

# Half-day sessions of a two-day workshop, by notebook number (the course's parts: text 00-06,
# images 07-09, further classics 10-12).
SESSIONS = [
    ("Day 1, morning", ["00", "01", "02"]),
    ("Day 1, afternoon", ["03", "04", "05", "06"]),
    ("Day 2, morning", ["07", "08", "09"]),
    ("Day 2, afternoon", ["10", "11", "12"]),
]


def _split(repo: str) -> tuple[str, str]:
    owner, name = repo.split("/")
    return owner, name


def student_path(notebook: str | None = None) -> str:
    """``student`` or ``student/NN_name.ipynb``, from a notebook's file name or path."""
    return "student" if notebook is None else f"student/{Path(notebook).name}"


def nbgitpuller_url(hub: str, notebook: str | None = None, repo: str | None = None,
                    branch: str = "main") -> str:
    """The nbgitpuller link that clones ``repo`` on ``hub`` and opens the student edition of
    ``notebook`` (or the student/ folder when ``notebook`` is None) in JupyterLab."""
    hub = hub.rstrip("/")
    if not re.match(r"https?://[^/\s]+", hub):
        raise ValueError(f"HUB must be the hub's address, such as https://hub.example.org, not {hub!r}")
    owner, name = _split(repo or colab.repository())
    return NBGITPULLER_TEMPLATE.format(hub=hub, owner=owner, name=name, branch=quote(branch, safe=""),
                                       path=quote(student_path(notebook), safe=""))


def binder_url(notebook: str | None = None, repo: str | None = None, branch: str = "main") -> str:
    """The mybinder.org link that builds ``repo`` from environment.yml and opens the student
    edition of ``notebook`` (or the student/ folder) in JupyterLab."""
    owner, name = _split(repo or colab.repository())
    return BINDER_TEMPLATE.format(owner=owner, name=name, branch=quote(branch, safe=""),
                                  path=quote(student_path(notebook), safe=""))


def notebooks() -> list[str]:
    """The lesson notebooks' file names; the student edition has the same names."""
    return sorted(p.name for p in (paths.root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def links(hub: str, branch: str = "main") -> str:
    """Every link, as printed by ``make nbgitpuller-link HUB=...``."""
    repo = colab.repository()
    lines = [f"nbgitpuller links on {hub.rstrip('/')} (repository {repo}, branch {branch}):",
             f"  student/  {nbgitpuller_url(hub, None, repo, branch)}"]
    lines += [f"  {nb[:2]}        {nbgitpuller_url(hub, nb, repo, branch)}" for nb in notebooks()]
    lines += ["Binder links (mybinder.org builds environment.yml; the first start takes minutes):",
              f"  student/  {binder_url(None, repo, branch)}"]
    lines += [f"  {nb[:2]}        {binder_url(nb, repo, branch)}" for nb in notebooks()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The plan of the day, from the README's measured syllabus table


def measured(readme: str | None = None) -> dict[str, dict]:
    """The syllabus rows of README.md: {number: {name, planned, seconds, memory_mb}}; seconds
    and memory_mb are None for a planned notebook, or one the last report could not measure."""
    text = readme if readme is not None else (paths.root() / "README.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- syllabus:start -->"), text.index("<!-- syllabus:end -->")
    rows = {}
    for line in text[start:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not re.fullmatch(r"\d\d", cells[0]):
            continue
        name = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", cells[1])
        time = re.fullmatch(r"(\d+) s", cells[4])
        memory = re.fullmatch(r"(\d+) MB", cells[5])
        rows[cells[0]] = {"name": name, "planned": "planned" in cells[4],
                          "seconds": int(time.group(1)) if time else None,
                          "memory_mb": int(memory.group(1)) if memory else None}
    return rows


def _machine(readme: str) -> str:
    match = re.search(r"^Measured with `make report` on (.+?)\.?$", readme, flags=re.M)
    return match.group(1) if match else "the machine named under the README's table"


def plan(readme: str | None = None) -> str:
    """The plan-of-the-day block of WORKSHOP.md (markdown, without its markers)."""
    readme = readme if readme is not None else (paths.root() / "README.md").read_text(encoding="utf-8")
    rows = measured(readme)
    lines = ["| session | notebooks | Run All, measured | largest peak memory |", "|---|---|---|---|"]
    for session, numbers in SESSIONS:
        done = [n for n in numbers if rows.get(n, {}).get("seconds") is not None]
        names = [f"{n} {rows[n]['name']}" if n in done
                 else f"{n} {rows[n]['name']} (not measured)" if rows.get(n, {}).get("planned") is False
                 else f"{n} *planned*" for n in numbers]
        seconds = sum(rows[n]["seconds"] for n in done)
        memory = max((rows[n]["memory_mb"] for n in done), default=None)
        lines.append(f"| {session} | {', '.join(names)} | "
                     + (f"{seconds} s | {memory} MB |" if done else "| |"))
    done = [n for n, row in rows.items() if row["seconds"] is not None]
    total = sum(rows[n]["seconds"] for n in done)
    biggest = max(done, key=lambda n: rows[n]["memory_mb"])
    lines += ["", f"All {len(done)} measured notebooks together: **{total} s** ({total / 60:.1f} min) of "
              f"Run All; the largest peak memory is **{rows[biggest]['memory_mb']} MB** "
              f"({biggest} {rows[biggest]['name']}). Measured on {_machine(readme)}."]
    return "\n".join(lines)


def update_guide(guide: Path | None = None) -> bool:
    """Rewrite the plan block of WORKSHOP.md from README.md; True if it changed. The file is
    written atomically (``metrics.write_atomically``): a full disk or a killed process leaves the
    old guide or the new one, never half of one."""
    from helpers import metrics

    guide = guide or paths.root() / "WORKSHOP.md"
    text = guide.read_text(encoding="utf-8")
    start, end = text.index(PLAN_START) + len(PLAN_START), text.index(PLAN_END)
    new = text[:start] + "\n" + plan() + "\n" + text[end:]
    if new != text:
        metrics.write_atomically(guide, new)
    return new != text


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--update-guide"]:
        print("rewrote the plan in WORKSHOP.md" if update_guide() else "WORKSHOP.md's plan is up to date")
        return
    if len(argv) not in (1, 2) or argv[0].startswith("-"):
        raise SystemExit("usage: python -m helpers.workshop HUB [BRANCH]   "
                         "(or: make nbgitpuller-link HUB=https://hub.example.org)")
    try:
        print(links(*argv))
    except ValueError as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
