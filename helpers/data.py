"""Data sets for the course, offline-first.

``load(name, **options)`` returns a data set; ``path(name)`` the local file of a downloaded one.

Downloaded files are looked up in this order, and every copy is checked against its SHA-256:

1. the cache, ``data/`` at the repository root (or ``$COURSE_DATA_DIR``);
2. the folder named by ``$COURSE_DATA_MIRROR`` (a workshop's USB stick or shared drive),
   copied into the cache;
3. the canonical URL, downloaded with a progress bar into the cache.

A copy is written to a temporary file and renamed only once complete and verified, so an
interrupted download never leaves a half file behind (a killed one leaves its temporary file,
which the next ``path`` call removes once its writer is gone). A cached copy that fails its checksum is
never used: it is replaced from the mirror or the URL. ``make prefetch`` fills the cache ahead of
a workshop.

Generated data sets (``dates``, ``shapes``) and the one that ships with scikit-learn (``digits``)
need no download (``path`` says so: load them with ``load``).
"""

import datetime as dt
import difflib
import errno
import glob
import hashlib
import http.client
import inspect
import numbers
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import paths

__all__ = ["DataError", "ChecksumError", "CacheError", "DOWNLOADS", "KNOWN", "load", "path", "prefetch"]


class DataError(RuntimeError):
    """A data set could not be loaded; the message says what to do."""


class ChecksumError(DataError):
    """A copy of a data file does not match its SHA-256, so it was not used."""


@dataclass(frozen=True)
class Download:
    """A file the course downloads: where from, under which name, and its SHA-256."""

    url: str
    filename: str
    sha256: str
    size: int  # bytes, for the progress bar when the server does not say


DOWNLOADS = {
    "names": Download(
        url="https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",
        filename="names.txt",
        sha256="0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
        size=228_145,
    ),
    "tinyshakespeare": Download(
        url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        filename="tinyshakespeare.txt",
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        size=1_115_394,
    ),
}

KNOWN = ("names", "tinyshakespeare", "digits", "dates", "shapes")

TIMEOUT = 30  # seconds to wait for a server before calling it offline


# ---------------------------------------------------------------------------------------------
# Downloaded files: cache -> mirror -> URL, checksummed, atomic


def _check_name(name: str, known=KNOWN) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name must be the name of a data set (a str), got {type(name).__name__}; "
                        f"the known ones are: {', '.join(known)}")
    if name not in known:
        raise ValueError(f"unknown data set {name!r}; the known ones are: {', '.join(known)}")


def sha256(file: Path) -> str:
    """The SHA-256 of a file, as hex."""
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _umask() -> int:
    """The process's umask (read without changing it where the system allows)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


STALE_SECONDS = 24 * 3600  # a temporary file this old is left over, whoever wrote it


def _temp_prefix(target: Path) -> str:
    """Temporary files beside ``target`` are named ``.<name>.<host>.<pid>.<random>.part``: unique to
    the writing process, and recognisable as left over once that process has died."""
    host = socket.gethostname().replace(".", "-") or "host"
    return f".{target.name}.{host}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True


def remove_stale_parts(folder: Path, name: str, suffix: str = ".part") -> list[Path]:
    """Remove temporary ``.part`` files of ``name`` in ``folder`` left by writers that died (killed
    downloads, a closed laptop): those of this machine whose process is gone, and any older than a
    day. Returns what was removed; files it may not remove are left alone."""
    removed = []
    host = socket.gethostname().replace(".", "-") or "host"
    try:
        candidates = list(folder.glob(f".{glob.escape(name)}.*{suffix}"))
    except OSError:
        return removed
    for part in candidates:
        fields = part.name[len(name) + 2 : -len(suffix)].split(".")
        try:
            age = time.time() - part.stat().st_mtime
        except OSError:
            continue
        dead = len(fields) >= 3 and fields[0] == host and fields[1].isdigit() and not _alive(int(fields[1]))
        if dead or age > STALE_SECONDS:
            try:
                part.unlink()
                removed.append(part)
            except OSError:
                pass
    return removed


class CacheError(DataError):
    """The data cache cannot hold a file: the folder is not writable, the disk is full, or the
    setting points at a file. The message says what to do."""


def _cache_problem(error: OSError, folder: Path, target: Path) -> str:
    """What a failed write into the cache means, and what to do about it, in words."""
    code = getattr(error, "errno", None)
    where = f"{folder} (COURSE_DATA_DIR)" if os.environ.get("COURSE_DATA_DIR") else f"{folder}"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return (f"the disk that holds the data cache {where} is full ({error}); free some space, or set "
                "COURSE_DATA_DIR to a folder on another disk")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"the data cache {where} is not writable ({error}); set COURSE_DATA_DIR to a folder you "
                "can write to (e.g. ~/course-data), or set COURSE_DATA_MIRROR to a folder that holds the file")
    if code == errno.EISDIR or target.is_dir():
        return (f"{target} is a folder, not the data file; remove that folder, or set COURSE_DATA_DIR to "
                "another folder")
    if folder.exists() and not folder.is_dir():
        return (f"the data cache {where} is a file, not a folder; set COURSE_DATA_DIR to a folder (or "
                "remove that file)")
    if code in (errno.ENOTDIR, errno.EEXIST):
        return (f"the data cache {where} cannot be made: part of its path is a file, not a folder ({error}); "
                "set COURSE_DATA_DIR to a folder")
    return f"cannot write into the data cache {where} ({error}); set COURSE_DATA_DIR to a writable folder"


def _write_blocks(out, source, digest) -> None:
    """Write the blocks of ``source`` to the open file ``out``, hashing them on the way."""
    for block in source:
        digest.update(block)
        out.write(block)


def _install(source, target: Path, expected: str, origin: str) -> None:
    """Copy the stream ``source`` into ``target`` atomically, if its SHA-256 is ``expected``.

    The bytes go to a temporary file beside the target, with a name unique to this process, which
    is renamed over the target only when complete and verified; on any failure the temporary file
    is removed. The file gets the permissions the umask allows (like any file the user creates),
    so a cache filled by an instructor can be read by every student. A failure to write into the
    cache raises ``CacheError``; a failure to read ``source`` propagates as it is.
    """
    folder = target.parent
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(folder))
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(folder, target.name)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=_temp_prefix(target), suffix=".part")
    except OSError as error:
        raise CacheError(_cache_problem(error, folder, target)) from error
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                _write_blocks(out, source, digest)
                out.flush()
            except OSError as error:
                if error.errno in _LOCAL_ERRNOS:
                    raise CacheError(_cache_problem(error, folder, target)) from error
                raise
        if digest.hexdigest() != expected:
            raise ChecksumError(
                f"{origin} has SHA-256 {digest.hexdigest()}, expected {expected}; "
                "the copy is damaged or not the right file, so it was not used"
            )
        try:
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except OSError as error:
            raise CacheError(_cache_problem(error, folder, target)) from error
    finally:
        try:
            os.remove(tmp)
        except OSError:
            pass


# errors of the writing side (the cache), as opposed to those of the source being read
_LOCAL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EROFS, errno.EFBIG}


def _blocks(file, size=1 << 16):
    yield from iter(lambda: file.read(size), b"")


def _from_mirror(item: Download, target: Path, mirror: Path) -> None:
    with open(mirror / item.filename, "rb") as f:
        _install(_blocks(f), target, item.sha256, f"the mirror's copy {mirror / item.filename}")


def _from_url(item: Download, target: Path) -> None:
    from tqdm.auto import tqdm

    with urllib.request.urlopen(item.url, timeout=TIMEOUT) as response:
        total = int(response.headers.get("Content-Length") or item.size)
        with tqdm(total=total, unit="B", unit_scale=True, desc=f"download {item.filename}") as bar:

            def counted():
                for block in _blocks(response):
                    bar.update(len(block))
                    yield block

            _install(counted(), target, item.sha256, f"the download from {item.url}")


def _unreadable(file: Path, what: str, error: OSError) -> str:
    if isinstance(error, PermissionError):
        return (f"{what} {file} cannot be read ({error.strerror}); whoever put it there can make it readable "
                f"with `chmod a+r {file}`")
    return f"{what} {file} cannot be read ({error})"


def _readable_copy(file: Path, item: Download, what: str, problems: list) -> bool:
    """True if ``file`` can be read and matches its checksum; otherwise say why in ``problems``."""
    try:
        if sha256(file) == item.sha256:
            return True
        problems.append(f"{what} {file} failed its checksum and was not used")
    except OSError as error:
        problems.append(_unreadable(file, what, error))
    return False


def path(name: str) -> Path:
    """The local path of a downloaded data set, fetching it first if needed.

    Raises ``ValueError`` for an unknown name (or one that needs no download: ``digits``,
    ``dates``, ``shapes``; load those with ``load``), ``ChecksumError`` when the only copies found are
    damaged, ``CacheError`` when the cache cannot be written (a read-only folder, a full disk, a
    setting that names a file) and no other copy can be used, and ``DataError`` when there is no
    copy and no network.

    With a cache that cannot be written (a shared read-only folder) but a good copy in the mirror,
    the mirror's copy is used where it is.
    """
    if isinstance(name, str) and name in KNOWN and name not in DOWNLOADS:
        raise ValueError(f"the data set {name!r} needs no download, so it has no file: load it with "
                         f"data.load({name!r})" + (" (it ships with scikit-learn)" if name == "digits" else
                                                    " (it is generated)"))
    _check_name(name, tuple(DOWNLOADS))
    item = DOWNLOADS[name]
    folder = paths.data_dir()
    target = folder / item.filename
    problems = []  # what went wrong on the way, for the final error message
    cache_problem = None  # why the cache cannot take a copy, if it cannot

    if folder.exists() and not folder.is_dir():
        cache_problem = _cache_problem(NotADirectoryError(errno.ENOTDIR, "not a directory"), folder, target)
    elif target.is_dir():
        cache_problem = _cache_problem(IsADirectoryError(errno.EISDIR, "is a directory"), folder, target)
    elif target.is_file() and _readable_copy(target, item, "the cached copy", problems):
        remove_stale_parts(folder, target.name)  # best effort: left by downloads killed after this copy was made
        return target

    mirror = paths.mirror_dir()
    if mirror is not None:
        copy = mirror / item.filename
        if copy.is_file():
            mirror_bad = False
            if cache_problem is None:
                try:
                    _from_mirror(item, target, mirror)
                    return target
                except ChecksumError as error:
                    problems.append(str(error))
                    mirror_bad = True
                except CacheError as error:
                    cache_problem = str(error)
                except OSError as error:  # the mirror's copy cannot be read
                    problems.append(_unreadable(copy, "the mirror's copy", error))
                    mirror_bad = True
            if cache_problem is not None and not mirror_bad:
                if _readable_copy(copy, item, "the mirror's copy", problems):
                    return copy  # the cache cannot take it: use the mirror's copy where it is
        else:
            problems.append(f"the mirror {mirror} (COURSE_DATA_MIRROR) has no {item.filename}")

    network = False
    if cache_problem is None:
        try:
            _from_url(item, target)
            return target
        except (ChecksumError, CacheError) as error:
            if isinstance(error, CacheError):
                cache_problem = str(error)
            else:
                problems.append(str(error))
        except http.client.IncompleteRead as error:
            network = True
            problems.append(f"the download of {item.url} was cut off after {len(error.partial)} bytes "
                            f"({error.expected} more were expected)")
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            network = True
            problems.append(f"downloading {item.url} failed ({type(error).__name__}: {error})")

    if cache_problem is not None:
        problems.insert(0, cache_problem)
        raise CacheError(
            f"cannot load the data set {name!r}: the data cache cannot hold {item.filename}.\n"
            + "".join(f"  - {p}\n" for p in problems)
            + f"To fix it, set COURSE_DATA_DIR to a folder you can write to (and run `make prefetch` there),"
            f" or set COURSE_DATA_MIRROR to a folder that holds {item.filename} (the instructor's shared copy)."
        )
    damaged = any("checksum" in p or "SHA-256" in p for p in problems)
    kind = ChecksumError if damaged else DataError
    advice = "connect to the internet and run `make prefetch` (or just run this again)" if network else \
        "run `make prefetch` (or just run this again)"
    raise kind(
        f"cannot load the data set {name!r}: no good copy of {item.filename} was found.\n"
        + "".join(f"  - {p}\n" for p in problems)
        + f"To fix it, {advice},"
        f" or download {item.url} yourself and save it as {target},"
        f" or set COURSE_DATA_MIRROR to a folder that holds {item.filename}."
    )


def prefetch(classifier: bool = False) -> list[Path]:
    """Fetch every downloadable data set into the cache (for offline workshops); with
    ``classifier`` (what ``make prefetch`` does) also build the digits classifier of the image
    yardstick (``metrics.digits_classifier``), so that a cache shared read-only by a class has it."""
    files = [path(name) for name in DOWNLOADS]
    if classifier:
        from helpers import metrics

        files.append(metrics.build_digits_classifier())
    return files


# ---------------------------------------------------------------------------------------------
# Loaders


def _split(items: list, split: str, fractions: dict, seed: int) -> list:
    """A fixed, disjoint split of ``items``: shuffled once with ``seed``, cut by ``fractions``."""
    if split == "all":
        return list(items)
    if split not in fractions:
        raise ValueError(f"unknown split {split!r}; choose one of: all, {', '.join(fractions)}")
    order = np.random.default_rng(seed).permutation(len(items))
    bounds = np.cumsum([0] + [round(f * len(items)) for f in fractions.values()])
    bounds[-1] = len(items)
    i = list(fractions).index(split)
    return [items[j] for j in order[bounds[i] : bounds[i + 1]]]


NAMES_SPLIT = {"train": 0.8, "valid": 0.1, "test": 0.1}


def _names(split: str = "all") -> list[str]:
    """First names, lower case. Splits: train 80 %, valid 10 %, test 10 %, fixed for the course
    so that every notebook's held-out nats/char is measured on the same names."""
    names = path("names").read_text(encoding="utf-8").split()
    return _split(names, split, NAMES_SPLIT, seed=2024)


def _tinyshakespeare(split: str = "all") -> str:
    """The text of tinyshakespeare; ``train`` is the first 90 %, ``valid`` the last 10 %."""
    text = path("tinyshakespeare").read_text(encoding="utf-8")
    cut = int(0.9 * len(text))
    parts = {"all": text, "train": text[:cut], "valid": text[cut:]}
    if split not in parts:
        raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(parts)}")
    return parts[split]


DIGITS_SPLIT = {"train": 0.8, "test": 0.2}


def _digits(split: str = "all") -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits: images (n, 8, 8) float32 in [0, 1], labels (n,)
    int64. Splits: train 80 %, test 20 %, fixed for the course."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)  # (1797, 8, 8), pixel values 0..16
    index = _split(list(range(len(images))), split, DIGITS_SPLIT, seed=2024)
    return images[index], bunch.target[index].astype(np.int64)


# Dates: human-written dates in many formats -> ISO 8601 ------------------------------------

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FIRST_DAY, LAST_DAY = dt.date(1950, 1, 1), dt.date(2049, 12, 31)


def _ordinal(n: int) -> str:
    """1 -> 1st, 2 -> 2nd, 3 -> 3rd, 11 -> 11th, 22 -> 22nd."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _fields(d: dt.date) -> dict:
    month, weekday = _MONTHS[d.month - 1], _DAYS[d.weekday()]
    return dict(
        d=d.day, dd=f"{d.day:02d}", dth=_ordinal(d.day), m=d.month, mm=f"{d.month:02d}",
        month=month, mon=month[:3], wday=weekday, wd=weekday[:3],
        yyyy=d.year, yy=f"{d.year % 100:02d}",
    )  # fmt: skip


# Each separator has one convention, so no input is ambiguous: slashes are month first (US),
# dots are day first (European), dashes and plain digits are year first. Two-digit years mean
# 1950-2049 (50-99 -> 19xx, 00-49 -> 20xx).
DATE_FORMATS = [
    "{d} {month} {yyyy}",             # 3 March 2021
    "{mon} {d}, {yy}",                # Mar 3, 21
    "{mm}/{dd}/{yyyy}",               # 03/03/2021
    "{wday}, {month} {dth} {yyyy}",   # Wednesday, March 3rd 2021
    "{month} {d}, {yyyy}",            # March 3, 2021
    "{m}/{d}/{yy}",                   # 3/3/21
    "{d}.{m}.{yyyy}",                 # 3.3.2021
    "{dd}.{mm}.{yy}",                 # 03.03.21
    "{dth} of {month} {yyyy}",        # 3rd of March 2021
    "{wd} {d} {mon} {yyyy}",          # Wed 3 Mar 2021
    "{d} {MON} {yyyy}",               # 3 MAR 2021
    "{yyyy}{mm}{dd}",                 # 20210303
    "the {dth} of {lmonth}, {yyyy}",  # the 3rd of march, 2021
    "{MONTH} {d} {yyyy}",             # MARCH 3 2021
    "{wday} {d} {month} {yyyy}",      # Wednesday 3 March 2021
    "{yyyy}/{mm}/{dd}",               # 2021/03/03
    "{mon} {dd} {yyyy}",              # Mar 03 2021
    "{yyyy}-{mm}-{dd}",               # 2021-03-03
    "{d}-{mon}-{yy}",                 # 3-Mar-21
    "{wd}, {dd} {mon} {yyyy}",        # Wed, 03 Mar 2021
]  # fmt: skip


def format_date(d: dt.date, fmt: str) -> str:
    """Write the date ``d`` in the format ``fmt`` (one of ``DATE_FORMATS``)."""
    f = _fields(d)
    f.update(MON=f["mon"].upper(), MONTH=f["month"].upper(), lmonth=f["month"].lower())
    return fmt.format(**f)


def date_format(human: str, iso: str) -> str:
    """Which of ``DATE_FORMATS`` wrote ``human`` for the date ``iso`` (notebooks 03 and 04 group
    results and attention maps by format)."""
    day = dt.date.fromisoformat(iso)
    for fmt in DATE_FORMATS:
        if format_date(day, fmt) == human:
            return fmt
    raise ValueError(f"{human!r} is not {iso} in any of data.DATE_FORMATS")


def hold_out_days(pairs: list[tuple[str, str]], days: int = 500, seed: int = 0):
    """Split date pairs (human, iso) by day into (kept, held out): ``days`` of the pairs' days,
    drawn with ``seed``, and every pair that writes one of them, are held out, so that a
    validation set never shares a day with the training pairs (notebooks 03 and 04)."""
    if isinstance(days, bool) or not isinstance(days, numbers.Integral) or days < 1:
        raise ValueError(f"days must be a positive whole number, got {days!r}")
    days = int(days)
    every = sorted({iso for _, iso in pairs})
    if days >= len(every):
        raise ValueError(f"days={days} would hold out all {len(every)} days of the pairs; choose fewer")
    held = set(np.random.default_rng(seed).choice(every, size=days, replace=False))
    return [p for p in pairs if p[1] not in held], [p for p in pairs if p[1] in held]


DATES_TEST_FRACTION = 0.1  # of the calendar days from 1950 to 2049, kept for the test split


def _dates(split: str = "train", size: int | None = None, seed: int = 0) -> list[tuple[str, str]]:
    """Pairs (human-written date, ISO 8601 date), e.g. ("Mar 3, 21", "2021-03-03").

    The days from 1950-01-01 to 2049-12-31 are split once, with a fixed seed, into train (90 %)
    and test (10 %) days, so the two splits never share a day, an input or a target. ``size``
    pairs (default: 20,000 for train, 2,000 for test) are then drawn from the split's days with
    ``seed``, each day written in a format chosen at random from ``DATE_FORMATS``; no input
    appears twice.
    """
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r}; choose one of: train, test")
    size = size if size is not None else {"train": 20_000, "test": 2_000}[split]
    n_days = (LAST_DAY - FIRST_DAY).days + 1
    order = np.random.default_rng(2024).permutation(n_days)
    n_test = int(DATES_TEST_FRACTION * n_days)
    days = order[:n_test] if split == "test" else order[n_test:]
    if not 0 <= size <= len(days):
        raise ValueError(f"size must be between 0 and {len(days)} for the {split} split")

    rng = np.random.default_rng(seed)
    pairs, seen = [], set()
    while len(pairs) < size:
        missing = size - len(pairs)
        for day, fmt in zip(rng.choice(days, missing), rng.integers(len(DATE_FORMATS), size=missing)):
            d = FIRST_DAY + dt.timedelta(days=int(day))
            text = format_date(d, DATE_FORMATS[fmt])
            if text not in seen:
                seen.add(text)
                pairs.append((text, d.isoformat()))
    return pairs


# Shapes: small grey-scale images with known factors, for latent traversals ------------------

SHAPE_KINDS = ("square", "circle", "triangle")


def _shapes(n: int = 10_000, size: int = 16, seed: int = 0, rotation: bool = False):
    """``n`` images (n, size, size) float32 in [0, 1] of one white shape on black, and their
    factors: a dict of arrays (n,) with ``kind`` (0 square, 1 circle, 2 triangle, see
    ``SHAPE_KINDS``), ``scale`` (half-width as a share of the image, 0.12-0.25), ``x`` and ``y``
    (centre, as a share of the image, 0.35-0.65; every shape stays inside the image) and ``angle``
    (radians; 0 unless ``rotation``).
    Drawn from ``seed``; edges are anti-aliased by 4x4 supersampling.
    """
    if int(n) != n or n < 1 or int(size) != size or size < 8:
        raise ValueError(f"need a whole number n >= 1 and size >= 8, got n={n}, size={size}")
    rng = np.random.default_rng(seed)
    factors = {"kind": rng.integers(0, len(SHAPE_KINDS), n), "scale": rng.uniform(0.12, 0.25, n),
               "x": rng.uniform(0.35, 0.65, n), "y": rng.uniform(0.35, 0.65, n),
               "angle": rng.uniform(0, 2 * np.pi, n) if rotation else np.zeros(n)}
    fine = (np.arange(size * 4) + 0.5) / (size * 4)  # sub-pixel centres in [0, 1]
    images = np.empty((n, size, size), np.float32)
    for start in range(0, n, 500):
        part = slice(start, start + 500)
        f = {key: value[part][:, None, None] for key, value in factors.items()}
        dx, dy = fine[None, None, :] - f["x"], fine[None, :, None] - f["y"]
        c, s = np.cos(f["angle"]), np.sin(f["angle"])
        u, v = (c * dx + s * dy) / f["scale"], (-s * dx + c * dy) / f["scale"]  # shape coordinates
        square = (np.abs(u) <= 1) & (np.abs(v) <= 1)
        circle = u**2 + v**2 <= 1
        triangle = (v <= 0.5) & (v >= 2 * np.abs(u) - 1.3)  # pointing up (v grows downwards)
        inside = np.where(f["kind"] == 0, square, np.where(f["kind"] == 1, circle, triangle))
        m = len(inside)
        images[part] = inside.reshape(m, size, 4, size, 4).mean(axis=(2, 4))
    return images, factors


_LOADERS = {"names": _names, "tinyshakespeare": _tinyshakespeare, "digits": _digits, "dates": _dates,
            "shapes": _shapes}


_SPLITS = {"names": ("all", *NAMES_SPLIT), "tinyshakespeare": ("all", "train", "valid"),
           "digits": ("all", *DIGITS_SPLIT), "dates": ("train", "test")}


def _whole(option: str, value, minimum: int | None = None) -> int:
    """``value`` as an int if it is a whole number (not a bool) of at least ``minimum``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{option} must be a whole number, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{option} must be a whole number, at least {minimum} ({option} >= {minimum}), got {value}")
    return value


def _options(name: str, options: dict) -> dict:
    """Check ``load(name, **options)``: known option names, and values of the right kind."""
    loader = _LOADERS[name]
    known = list(inspect.signature(loader).parameters)
    described = ", ".join(f"{o} (one of {', '.join(_SPLITS[name])})" if o == "split" else o for o in known)
    for option in options:
        if option not in known:
            close = difflib.get_close_matches(option, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"load({name!r}) has no option {option!r}{hint}; its options are: {described}")
    checked = dict(options)
    if "split" in options:
        split = options["split"]
        if not isinstance(split, str) or split not in _SPLITS[name]:
            raise ValueError(f"unknown split {split!r} for {name!r}; choose one of: {', '.join(_SPLITS[name])}")
    if "seed" in options:
        checked["seed"] = _whole("seed", options["seed"], 0)
    if name == "dates" and options.get("size") is not None:
        checked["size"] = _whole("size", options["size"], 0)
    if name == "shapes":
        for option, minimum in (("n", 1), ("size", 8)):
            if option in options:
                checked[option] = _whole(option, options[option], minimum)
        if "rotation" in options and not isinstance(options["rotation"], (bool, np.bool_)):
            raise TypeError(f"rotation must be True or False, got {options['rotation']!r}")
    return checked


def load(name: str, **options):
    """Load a course data set by name.

    - ``names`` (``split``: all, train, valid, test): list of str
    - ``tinyshakespeare`` (``split``: all, train, valid): str
    - ``digits`` (``split``: all, train, test): images (n, 8, 8) float32 in [0, 1], labels (n,)
    - ``dates`` (``split``: train, test; ``size``; ``seed``): list of (human, ISO 8601) pairs
    - ``shapes`` (``n``, ``size``, ``seed``, ``rotation``): images (n, size, size) and factors

    An unknown option, or a value of the wrong kind, is a ``TypeError`` or ``ValueError`` that
    lists the valid ones.
    """
    _check_name(name)
    return _LOADERS[name](**_options(name, options))


def main() -> None:
    """``python -m helpers.data``: fetch every downloadable data set and build the digits
    classifier of the image yardstick (``make prefetch``)."""
    try:
        for file in prefetch(classifier=True):
            print(f"ok  {file}")
    except DataError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
