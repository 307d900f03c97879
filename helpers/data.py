"""Data sets for the course, offline-first.

``load(name, **options)`` returns a data set; ``path(name)`` the local file of a downloaded one.

Downloaded files are looked up in this order, and every copy is checked against its SHA-256:

1. the cache, ``data/`` at the repository root (or ``$COURSE_DATA_DIR``);
2. the folder named by ``$COURSE_DATA_MIRROR`` (a workshop's USB stick or shared drive),
   copied into the cache;
3. the canonical URL, downloaded with a progress bar into the cache.

A copy is written to a temporary file and renamed only once complete and verified, so an
interrupted download never leaves a half file behind. A cached copy that fails its checksum is
never used: it is replaced from the mirror or the URL. ``make prefetch`` fills the cache ahead of
a workshop.

Generated data sets (``dates``) and the one that ships with scikit-learn (``digits``) need no
download.
"""

import datetime as dt
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers import paths

__all__ = ["DataError", "ChecksumError", "DOWNLOADS", "KNOWN", "load", "path", "prefetch"]


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
    if name not in known:
        raise ValueError(f"unknown data set {name!r}; the known ones are: {', '.join(known)}")


def sha256(file: Path) -> str:
    """The SHA-256 of a file, as hex."""
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _install(source, target: Path, expected: str, origin: str) -> None:
    """Copy the stream ``source`` into ``target`` atomically, if its SHA-256 is ``expected``.

    The bytes go to a temporary file beside the target, which is renamed over the target only
    when complete and verified; on any failure the temporary file is removed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for block in source:
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected:
            raise ChecksumError(
                f"{origin} has SHA-256 {digest.hexdigest()}, expected {expected}; "
                "the copy is damaged or not the right file, so it was not used"
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


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


def path(name: str) -> Path:
    """The local path of a downloaded data set, fetching it first if needed.

    Raises ``ValueError`` for an unknown name, ``ChecksumError`` when the only copies found are
    damaged, and ``DataError`` when there is no copy and no network.
    """
    _check_name(name, tuple(DOWNLOADS))
    item = DOWNLOADS[name]
    target = paths.data_dir() / item.filename
    problems = []  # what went wrong on the way, for the final error message

    if target.is_file():
        if sha256(target) == item.sha256:
            return target
        problems.append(f"the cached copy {target} failed its checksum and was not used")

    mirror = paths.mirror_dir()
    if mirror is not None:
        if (mirror / item.filename).is_file():
            try:
                _from_mirror(item, target, mirror)
                return target
            except ChecksumError as error:
                problems.append(str(error))
        else:
            problems.append(f"the mirror {mirror} (COURSE_DATA_MIRROR) has no {item.filename}")

    try:
        _from_url(item, target)
        return target
    except ChecksumError as error:
        problems.append(str(error))
    except (urllib.error.URLError, OSError) as error:
        problems.append(f"downloading {item.url} failed ({error})")

    damaged = any("checksum" in p or "SHA-256" in p for p in problems)
    kind = ChecksumError if damaged else DataError
    raise kind(
        f"cannot load the data set {name!r}: no good copy of {item.filename} was found.\n"
        + "".join(f"  - {p}\n" for p in problems)
        + f"To fix it, connect to the internet and run `make prefetch` (or just run this again),"
        f" or download {item.url} yourself and save it as {target},"
        f" or set COURSE_DATA_MIRROR to a folder that holds {item.filename}."
    )


def prefetch() -> list[Path]:
    """Fetch every downloadable data set into the cache (for offline workshops)."""
    return [path(name) for name in DOWNLOADS]


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


def load(name: str, **options):
    """Load a course data set by name.

    - ``names`` (``split``: all, train, valid, test): list of str
    - ``tinyshakespeare`` (``split``: all, train, valid): str
    - ``digits`` (``split``: all, train, test): images (n, 8, 8) float32 in [0, 1], labels (n,)
    - ``dates`` (``split``: train, test; ``size``; ``seed``): list of (human, ISO 8601) pairs
    - ``shapes`` (``n``, ``size``, ``seed``, ``rotation``): images (n, size, size) and factors
    """
    _check_name(name)
    return _LOADERS[name](**options)


def main() -> None:
    """``python -m helpers.data``: fetch every downloadable data set (``make prefetch``)."""
    try:
        for file in prefetch():
            print(f"ok  {file}")
    except DataError as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
