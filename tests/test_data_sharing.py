"""helpers.data and the digits classifier in a shared cache (the workshop case, issue 18): file
permissions, read-only folders, a full disk, settings that point at the wrong thing, killed
downloads and several processes at once.

Read-only folders are tested in a child process without the capabilities that let root ignore
file permissions (CI runs as root), using ``setpriv``; a full disk by a stand-in writer."""

import errno
import hashlib
import http.client
import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

from helpers import data, metrics

WORKER = Path(__file__).with_name("_data_worker.py")
SHARED_MIRROR = Path(os.environ.get("COURSE_DATA_MIRROR") or Path(__file__).parents[1] / "data")


# Child processes ---------------------------------------------------------------------------------


def _command(unprivileged: bool) -> list[str]:
    command = [sys.executable, str(WORKER)]
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot drop CAP_DAC_OVERRIDE to test read-only folders")
        command = [setpriv, "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", *command]
    return command


def _env(cache: Path | None, mirror: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_DATA_DIR", "COURSE_DATA_MIRROR")}
    if cache is not None:
        env["COURSE_DATA_DIR"] = str(cache)
    if mirror is not None:
        env["COURSE_DATA_MIRROR"] = str(mirror)
    return env


def worker(spec: dict, cache: Path | None, mirror: Path | None = None, unprivileged: bool = False) -> dict:
    """Run tests/_data_worker.py with ``spec``; its JSON line: {"ok": ...} or {"error", "message"}."""
    child = subprocess.run(_command(unprivileged) + [json.dumps(spec)], env=_env(cache, mirror),
                           capture_output=True, text=True, timeout=300)
    lines = child.stdout.strip().splitlines()
    assert lines, f"the worker printed nothing; stderr:\n{child.stderr[-2000:]}"
    return json.loads(lines[-1])


def workers(specs: list[dict], cache: Path, mirror: Path | None = None) -> list[dict]:
    """Several workers at once, started together."""
    start_at = time.time() + 1.5
    children = [subprocess.Popen(_command(False) + [json.dumps({**spec, "start_at": start_at})],
                                 env=_env(cache, mirror), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for spec in specs]
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert out.strip(), f"a worker printed nothing; stderr:\n{err[-2000:]}"
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.fixture
def unprivileged_works(tmp_path):
    """Skip unless a child process can be made to respect file permissions (as a student would)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        child = subprocess.run(_command(True)[:-1] + ["-c", f"open({str(probe / 'x')!r}, 'w')"],
                               capture_output=True, text=True)
    finally:
        probe.chmod(0o755)
    if child.returncode == 0:
        pytest.skip("cannot run a child process that respects file permissions here")


@pytest.fixture
def mirror(tmp_path):
    """A mirror holding the real names file (a copy of the shared mirror)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    source = SHARED_MIRROR / "names.txt"
    if not source.is_file():
        pytest.skip(f"no names.txt in {SHARED_MIRROR}: set COURSE_DATA_MIRROR")
    shutil.copy(source, folder / "names.txt")
    return folder


def _toy_spec(toy) -> dict:
    item = toy[0]
    return {"url": item.url, "filename": item.filename, "sha256": item.sha256, "size": item.size}


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name) if folder.is_dir() else []


# Permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_cached_files_get_the_umask_permissions(cache, toy, umask):
    old = os.umask(umask)
    try:
        file = data.path("toy")
    finally:
        os.umask(old)
    assert stat.S_IMODE(file.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600


def test_a_class_can_read_what_the_instructor_prefetched(tmp_path, mirror, unprivileged_works):
    """The instructor fills the cache (as root here), a student without privileges loads from it."""
    cache = tmp_path / "shared"
    old = os.umask(0o022)
    try:
        assert worker({"action": "path", "name": "names"}, cache, mirror)["ok"] == str(cache / "names.txt")
    finally:
        os.umask(old)
    if os.geteuid() == 0:  # the instructor is another user than the students
        for item in (cache, *cache.iterdir()):
            os.chown(item, 65534, 65534)
    cache.chmod(0o755)  # the shared cache is read-only for students
    try:
        result = worker({"action": "load", "name": "names", "options": {"split": "test"}}, cache, None,
                        unprivileged=True)
    finally:
        cache.chmod(0o755)
    assert result == {"ok": 3204}


def test_an_unreadable_cached_copy_falls_back_to_the_mirror(tmp_path, mirror, unprivileged_works):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    shutil.copy(mirror / "names.txt", cache / "names.txt")
    (cache / "names.txt").chmod(0o000)  # unreadable to the student (as mkstemp's 0600 is to anyone but its owner)
    result = worker({"action": "path", "name": "names"}, cache, mirror, unprivileged=True)
    assert result == {"ok": str(cache / "names.txt")}  # replaced by a readable copy
    assert stat.S_IMODE((cache / "names.txt").stat().st_mode) & 0o044


def test_an_unreadable_cached_copy_falls_back_to_the_url(tmp_path, toy, unprivileged_works):
    item, content, source = toy
    source.parent.chmod(0o755)
    source.chmod(0o644)
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    (cache / "toy.txt").write_bytes(content)
    (cache / "toy.txt").chmod(0o000)
    result = worker({"action": "path", "name": "toy", "toy": _toy_spec(toy)}, cache, None, unprivileged=True)
    assert result == {"ok": str(cache / "toy.txt")}
    assert (cache / "toy.txt").read_bytes() == content


def test_unreadable_copies_everywhere_say_so(tmp_path, mirror, unprivileged_works):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    shutil.copy(mirror / "names.txt", cache / "names.txt")
    (cache / "names.txt").chmod(0o000)
    (mirror / "names.txt").chmod(0o000)
    result = worker({"action": "path", "name": "names"}, cache, mirror, unprivileged=True)
    assert result["error"] in ("DataError", "ChecksumError")
    assert "cannot be read" in result["message"] and "chmod a+r" in result["message"]


# Read-only caches, full disks and settings that point at the wrong thing -----------------------


def test_a_read_only_cache_with_a_mirror_still_loads(tmp_path, mirror, unprivileged_works):
    cache = tmp_path / "readonly"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        result = worker({"action": "path", "name": "names"}, cache, mirror, unprivileged=True)
    finally:
        cache.chmod(0o755)
    assert result == {"ok": str(mirror / "names.txt")}  # the mirror's copy, used where it is
    assert os.listdir(cache) == []


def test_a_read_only_cache_without_a_mirror_says_what_is_wrong(tmp_path, toy, unprivileged_works):
    toy[2].parent.chmod(0o755)
    toy[2].chmod(0o644)
    cache = tmp_path / "readonly"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        result = worker({"action": "path", "name": "toy", "toy": _toy_spec(toy)}, cache, None, unprivileged=True)
    finally:
        cache.chmod(0o755)
    assert result["error"] == "CacheError"
    message = result["message"]
    assert f"the data cache {cache} (COURSE_DATA_DIR) is not writable" in message
    assert "set COURSE_DATA_DIR to a folder you can write to" in message and "COURSE_DATA_MIRROR" in message
    assert "connect to the internet" not in message


def _full_disk(out, source, digest):
    """A stand-in writer: the disk fills up after the first block."""
    for i, block in enumerate(source):
        if i:
            raise OSError(errno.ENOSPC, "No space left on device")
        digest.update(block)
        out.write(block)
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_says_so_and_leaves_nothing(cache, toy, monkeypatch):
    monkeypatch.setattr(data, "_write_blocks", _full_disk)
    with pytest.raises(data.CacheError) as error:
        data.path("toy")
    message = str(error.value)
    assert "is full" in message and "COURSE_DATA_DIR" in message
    assert "connect to the internet" not in message
    assert _parts(cache) == []


def test_a_full_disk_with_a_mirror_uses_the_mirror(cache, mirror, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    monkeypatch.setattr(data, "_write_blocks", _full_disk)
    assert data.path("names") == mirror / "names.txt"
    assert len(data.load("names", split="test")) == 3204
    assert _parts(cache) == []


def test_data_dir_that_is_a_file(tmp_path, toy, monkeypatch, mirror):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("not a folder")
    monkeypatch.setenv("COURSE_DATA_DIR", str(not_a_folder))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    with pytest.raises(data.CacheError, match=r"notes.txt \(COURSE_DATA_DIR\) is a file, not a folder"):
        data.path("toy")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))  # with a mirror it still loads
    assert data.path("names") == mirror / "names.txt"
    assert not_a_folder.read_text() == "not a folder"


def test_a_folder_named_like_the_data_file(cache, toy):
    (cache / "toy.txt").mkdir(parents=True)
    with pytest.raises(data.CacheError, match="toy.txt is a folder, not the data file"):
        data.path("toy")


# Killed downloads -------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_download_leaves_no_part_file_behind_for_long(cache, toy, signum):
    item, content, source = toy
    spec = {"action": "path", "name": "toy", "toy": _toy_spec(toy), "slow": True}
    child = subprocess.Popen(_command(False) + [json.dumps(spec)], env=_env(cache, None), stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout.readline().strip() == "writing"  # mid-way through the download
        assert len(_parts(cache)) == 1
    finally:
        child.send_signal(signum)
        child.wait(timeout=30)
    assert len(_parts(cache)) == 1  # a killed process runs no clean-up
    assert data.path("toy").read_bytes() == content  # the next load succeeds ...
    assert _parts(cache) == []  # ... and removes the dead process's temporary file


def test_stale_parts_of_live_processes_are_kept(cache, toy):
    cache.mkdir()
    host = socket.gethostname().replace(".", "-")
    mine = cache / f".toy.txt.{host}.{os.getpid()}.abc.part"  # a download in progress
    mine.write_bytes(b"x")
    old = cache / ".toy.txt.otherhost.123.def.part"  # another machine's, two days old
    old.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    recent = cache / ".toy.txt.otherhost.456.ghi.part"  # another machine's, may still be running
    recent.write_bytes(b"x")
    data.path("toy")
    assert mine.exists() and recent.exists() and not old.exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_good_cached_copy_clears_the_parts_of_killed_downloads(cache, toy, offline):
    item, content, _ = toy
    cache.mkdir()
    (cache / "toy.txt").write_bytes(content)  # a good copy, made by another (finished) download
    host = socket.gethostname().replace(".", "-")
    dead = cache / f".toy.txt.{host}.{_dead_pid()}.abc.part"  # a download killed mid-way
    live = cache / f".toy.txt.{host}.{os.getpid()}.def.part"  # one in progress
    old = cache / ".toy.txt.otherhost.123.ghi.part"  # another machine's, two days old
    for part in (dead, live, old):
        part.write_bytes(b"x")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    assert data.path("toy").read_bytes() == content and offline == []
    assert not dead.exists() and not old.exists() and live.exists()  # dead and old ones were left forever


def test_clearing_stale_parts_is_best_effort(cache, toy, monkeypatch):
    item, content, _ = toy
    cache.mkdir()
    (cache / "toy.txt").write_bytes(content)
    dead = cache / f".toy.txt.{socket.gethostname().replace('.', '-')}.{_dead_pid()}.abc.part"
    dead.write_bytes(b"x")

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "unlink", refuse)  # a shared read-only cache
    assert data.path("toy").read_bytes() == content  # still loads
    assert dead.exists()


def test_a_cut_off_download_is_a_data_error(cache, toy, monkeypatch):
    item, content, _ = toy

    class CutOff(io.BytesIO):
        headers = {"Content-Length": str(len(content))}

        def read(self, size=-1):
            raise http.client.IncompleteRead(b"x" * 100, len(content) - 100)

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: CutOff())
    with pytest.raises(data.DataError, match="was cut off after 100 bytes"):
        data.path("toy")
    assert _parts(cache) == []


# Several processes at once ------------------------------------------------------------------------


def test_several_processes_fill_one_cache_at_once(cache, mirror):
    results = workers([{"action": "load", "name": "names", "options": {"split": "train"}}] * 4, cache, mirror)
    assert results == [{"ok": 25626}] * 4
    assert sorted(os.listdir(cache)) == ["names.txt"]
    assert hashlib.sha256((cache / "names.txt").read_bytes()).hexdigest() == data.DOWNLOADS["names"].sha256


# The digits classifier --------------------------------------------------------------------------


def _tiny(epochs=60):
    import keras

    return keras.Sequential([keras.Input((64,)), keras.layers.Dense(8, name="features"),
                             keras.layers.Dense(10, name="logits")])


def test_prefetch_builds_the_digits_classifier(cache, toy, monkeypatch, capsys):
    monkeypatch.setattr(data, "DOWNLOADS", {"toy": toy[0]})
    monkeypatch.setattr(metrics, "_train_classifier", _tiny)
    monkeypatch.setattr(metrics, "_CLASSIFIER", None)
    old = os.umask(0o022)
    try:
        data.main()  # make prefetch
    finally:
        os.umask(old)
    file = cache / metrics.CLASSIFIER_FILE
    assert f"ok  {file}" in capsys.readouterr().out
    assert stat.S_IMODE(file.stat().st_mode) == 0o644
    assert sorted(os.listdir(cache)) == sorted(["toy.txt", metrics.CLASSIFIER_FILE])


def test_several_processes_build_the_classifier_at_once(cache):
    results = workers([{"action": "classifier"}] * 4, cache)
    assert results == [{"ok": []}] * 4
    assert os.listdir(cache) == [metrics.CLASSIFIER_FILE]  # no temporary file left


def test_a_read_only_cache_trains_the_classifier_in_memory_and_says_so_once(tmp_path, unprivileged_works):
    cache = tmp_path / "readonly"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        result = worker({"action": "classifier", "times": 2}, cache, None, unprivileged=True)
    finally:
        cache.chmod(0o755)
    assert "ok" in result, result
    assert len(result["ok"]) == 1
    assert "trained in memory" in result["ok"][0] and "not writable" in result["ok"][0]
    assert os.listdir(cache) == []


def test_a_full_disk_while_saving_the_classifier(cache, monkeypatch):
    monkeypatch.setattr(metrics, "_train_classifier", _tiny)
    monkeypatch.setattr(metrics, "_CLASSIFIER", None)
    monkeypatch.setattr(metrics, "_SAID_IN_MEMORY", False)

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    import keras

    monkeypatch.setattr(keras.Model, "save", full)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert metrics.digits_classifier() is not None
    assert any("is full" in str(w.message) for w in caught)
    assert _parts(cache) == [] and not (cache / metrics.CLASSIFIER_FILE).exists()


# Options ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, options, error, message", [
    ("names", {"splt": "test"}, TypeError, r"load\('names'\) has no option 'splt' \(did you mean 'split'\?\); "
                                           r"its options are: split \(one of all, train, valid, test\)"),
    ("names", {"split": "tset"}, ValueError, "unknown split 'tset' for 'names'; choose one of: all, train"),
    ("names", {"split": None}, ValueError, "unknown split None"),
    ("tinyshakespeare", {"split": "test"}, ValueError, "choose one of: all, train, valid"),
    ("digits", {"split": "valid"}, ValueError, "choose one of: all, train, test"),
    ("dates", {"seed": "x"}, TypeError, "seed must be a whole number, got 'x'"),
    ("dates", {"size": True}, TypeError, "size must be a whole number, got True"),
    ("dates", {"size": 2.5}, TypeError, "size must be a whole number, got 2.5"),
    ("dates", {"size": -1}, ValueError, "size must be a whole number, at least 0"),
    ("dates", {"formats": 3}, TypeError, "its options are: split .*, size, seed"),
    ("shapes", {"rotation": "no"}, TypeError, "rotation must be True or False, got 'no'"),
    ("shapes", {"n": 0}, ValueError, "n must be a whole number, at least 1"),
    ("shapes", {"seed": 1.5}, TypeError, "seed must be a whole number"),
    ("shapes", {"colour": True}, TypeError, "its options are: n, size, seed, rotation"),
])
def test_options_are_checked_at_load(name, options, error, message):
    with pytest.raises(error, match=message):
        data.load(name, **options)


def test_valid_options_load_as_before():
    assert len(data.load("dates", size=True + 4, seed=1)) == 5
    images, factors = data.load("shapes", n=4, size=8, seed=0, rotation=True)
    assert images.shape == (4, 8, 8) and factors["angle"].any()
    with pytest.raises(TypeError, match="name must be the name of a data set"):
        data.load(["names"])
