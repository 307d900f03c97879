"""Smoke test of `make lab`, the README's first command (run by `make lab-smoke`, in CI).

1. starts `make lab` in the background on a free port, with a token and no browser (as root too:
   the Makefile adds --allow-root then);
2. waits until the server answers (at most --start-timeout seconds), and checks that its start
   page leads to JupyterLab;
3. lists notebooks/ through the REST API (/api/contents) and compares it with the folder;
4. starts a kernel for notebooks/00_introduction.ipynb through the API (/api/sessions), runs the
   notebook's setup cell (the first code cell that imports helpers) and `print(1 + 1)` over the
   kernel's websocket channel, and checks that they ran without error;
5. shuts the server down (POST /api/shutdown; then the process group, and any process the
   server started, is killed), so no process is left behind.

The whole run is limited by --timeout seconds; on any failure it prints what went wrong and the
end of the server's log, and exits with status 1.

    .venv/bin/python tests/lab_smoke.py [--timeout 300] [--start-timeout 120] [--port N]
"""

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "00_introduction.ipynb"


class SmokeError(RuntimeError):
    """The smoke test failed; the message says where."""


class Deadline(BaseException):
    """The overall time limit passed (a BaseException, so no `except Exception` swallows it)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`make lab` in a process group of its own, with its log in a temporary file."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.base = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="lab-smoke-", suffix=".log", delete=False)
        args = " ".join([
            "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ])
        make = os.environ.get("MAKE", "make")
        env = dict(os.environ, JUPYTER_NO_CONFIG="1")  # nobody's personal config changes the test
        env.pop("MAKEFLAGS", None)  # a parent make's flags (-n, -j) are not for this make
        env.pop("MFLAGS", None)
        self.process = subprocess.Popen(
            [make, "--no-print-directory", "-C", str(ROOT), "lab", f"LAB_ARGS={args}"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True,  # its own process group: make, jupyter and what they start
        )
        self.seen: set[int] = set()  # every process of the server seen so far (kernels too)

    def request(self, method: str, path: str, body=None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def wait_until_up(self, limit: float) -> dict:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise SmokeError(f"`make lab` exited with status {self.process.returncode} before "
                                 "the server answered")
            try:
                return self.request("GET", "/api/status", timeout=5)
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.5)
        raise SmokeError(f"the server did not answer on port {self.port} within {limit:.0f} s")

    def remember_processes(self) -> None:
        """Record the descendants of `make lab` (kernels run in sessions of their own, so the
        process group alone does not reach them)."""
        self.seen |= descendants(self.process.pid)

    def stop(self) -> list[int]:
        """Shut down politely, then by force; return the pids that had to be killed."""
        self.remember_processes()
        if self.process.poll() is None:
            try:
                self.request("POST", "/api/shutdown", timeout=10)
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        killed = []
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
            alive = [pid for pid in self.seen if _alive(pid)]
            for pid in alive:
                try:
                    os.kill(pid, sig)
                    killed.append(pid)
                except ProcessLookupError:
                    pass
            end = time.monotonic() + 5
            while time.monotonic() < end and (self.process.poll() is None
                                              or any(_alive(p) for p in self.seen)):
                time.sleep(0.1)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        return sorted(set(killed))

    def tail(self, lines: int = 40) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc (Linux); an empty set elsewhere."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def landing_page(server: Server) -> str:
    """Follow the server's start page (as a browser opening the printed URL does) to JupyterLab."""
    with urllib.request.urlopen(f"{server.base}/?token={server.token}", timeout=30) as response:
        html = response.read().decode(errors="replace")
        final = response.geturl()
    if "/lab" not in final or "JupyterLab" not in html:
        raise SmokeError(f"the start page {final} is not JupyterLab")
    return final.replace(server.token, "<token>")


def list_notebooks(server: Server) -> tuple[str, list[str]]:
    """The notebooks/ folder as the server lists it: (API path, notebook names)."""
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    root = server.request("GET", "/api/contents/")
    names = {item["name"]: item for item in root["content"]}
    # `make lab` serves notebooks/ itself; a server on the repository's root shows it as a folder
    folder = "" if NOTEBOOK in names else "notebooks" if "notebooks" in names else None
    if folder is None:
        raise SmokeError(f"/api/contents/ lists neither {NOTEBOOK} nor notebooks/: {sorted(names)}")
    listing = root if folder == "" else server.request("GET", f"/api/contents/{folder}")
    listed = sorted(i["name"] for i in listing["content"] if i["type"] == "notebook")
    if listed != on_disk:
        raise SmokeError(f"the server lists the notebooks {listed}, the folder holds {on_disk}")
    return folder, listed


def setup_cell(server: Server, path: str) -> str:
    """The notebook's setup cell: its first code cell that imports helpers."""
    model = server.request("GET", f"/api/contents/{path}?content=1")
    for cell in model["content"]["cells"]:
        if cell["cell_type"] == "code" and ("import helpers" in cell["source"]
                                            or "from helpers" in cell["source"]):
            return cell["source"]
    raise SmokeError(f"{path} has no code cell that imports helpers")


async def execute(server: Server, kernel_id: str, code: str, limit: float) -> str:
    """Run ``code`` on the kernel over its websocket channel; return its stdout."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
    request = HTTPRequest(url, headers={"Authorization": f"token {server.token}"},
                          connect_timeout=30, request_timeout=limit)
    connection = await asyncio.wait_for(websocket_connect(request), 30)
    msg_id = uuid.uuid4().hex
    connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "lab-smoke",
                   "session": uuid.uuid4().hex, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    stdout, reply, idle = [], None, False
    end = time.monotonic() + limit
    try:
        while reply is None or not idle:
            left = end - time.monotonic()
            if left <= 0:
                raise SmokeError(f"the cell did not finish within {limit:.0f} s")
            raw = await asyncio.wait_for(connection.read_message(), left)
            if raw is None:
                raise SmokeError("the kernel's websocket closed before the cell finished")
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                raise SmokeError("the cell failed: " + f"{content['ename']}: {content['evalue']}")
            elif kind == "execute_reply":
                reply = content
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
    finally:
        connection.close()
    if reply["status"] != "ok":
        raise SmokeError(f"the cell's execute_reply has status {reply['status']}: {reply}")
    return "".join(stdout)


def smoke(server: Server, start_timeout: float, cell_timeout: float) -> None:
    t0 = time.monotonic()
    status = server.wait_until_up(start_timeout)
    print(f"lab-smoke: the server answered after {time.monotonic() - t0:.1f} s "
          f"({status.get('kernels', 0)} kernels, started {status.get('started', '?')})")
    server.remember_processes()

    page = landing_page(server)
    print(f"lab-smoke: the start page {page} is JupyterLab")

    folder, listed = list_notebooks(server)
    print(f"lab-smoke: /api/contents/{folder} lists {len(listed)} notebooks, as notebooks/ holds")

    path = f"{folder}/{NOTEBOOK}".lstrip("/")
    session = server.request("POST", "/api/sessions", {
        "path": path, "name": NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    server.remember_processes()
    print(f"lab-smoke: kernel {kernel} started for {path}")

    t1 = time.monotonic()
    code = setup_cell(server, path) + "\n\nimport helpers\nprint(1 + 1)\n"
    out = asyncio.run(execute(server, kernel, code, cell_timeout))
    if not out.rstrip().endswith("2"):
        raise SmokeError(f"the cell ran but printed {out!r}, not ending in 2")
    print(f"lab-smoke: {NOTEBOOK}'s setup cell and print(1 + 1) ran in "
          f"{time.monotonic() - t1:.1f} s; the last line printed: {out.rstrip().splitlines()[-1]}")
    server.remember_processes()
    server.request("DELETE", f"/api/sessions/{session['id']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300, help="limit for the whole test, s")
    parser.add_argument("--start-timeout", type=float, default=120, help="limit for the start, s")
    parser.add_argument("--cell-timeout", type=float, default=120, help="limit for the cell, s")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    options = parser.parse_args(argv)

    def out_of_time(signum, frame):
        raise Deadline()

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(options.timeout))
    server = Server(options.port or free_port(), secrets.token_hex(16))
    started = time.monotonic()
    print(f"lab-smoke: make lab on port {server.port} as uid {os.getuid()}, log {server.log.name}")
    failure = None
    try:
        smoke(server, options.start_timeout, options.cell_timeout)
    except Deadline:
        failure = f"the smoke test ran out of its {options.timeout:.0f} s"
    except SmokeError as error:
        failure = str(error)
    except urllib.error.HTTPError as error:
        failure = f"{error.url}: HTTP {error.code} {error.reason}: {error.read()[:300]!r}"
    except Exception as error:  # anything else: report it, clean up, fail
        failure = f"{type(error).__name__}: {error}"
    finally:
        signal.alarm(0)
        killed = server.stop()
    left = sorted(pid for pid in server.seen | {server.process.pid} if _alive(pid))
    if failure is None and left:
        failure = f"processes left behind: {left}"
    if failure is not None:
        print(f"lab-smoke: FAILED: {failure}\n--- the end of the server's log ---\n{server.tail()}",
              file=sys.stderr)
        return 1
    print(f"lab-smoke: passed in {time.monotonic() - started:.1f} s; the server shut down "
          f"(make exited {server.process.returncode}), {len(server.seen)} processes seen, "
          f"{len(killed)} had to be killed, none left")
    os.unlink(server.log.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
