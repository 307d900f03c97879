"""Shared fixtures: a private data cache, a local mirror, a world without network."""

import hashlib
import urllib.error
import urllib.request

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers import data  # noqa: E402


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty data cache of the test's own, and no mirror."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    return folder


@pytest.fixture
def offline(monkeypatch):
    """Every download fails as it does without a network; the list records the attempts."""
    attempts = []

    def refuse(url, *args, **kwargs):
        attempts.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A small downloadable data set 'toy', served from a file:// URL the test can change."""
    content = b"a small file that stands in for a real download\n" * 100
    source = tmp_path / "server" / "toy.txt"
    source.parent.mkdir()
    source.write_bytes(content)
    item = data.Download(url=source.as_uri(), filename="toy.txt",
                         sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    monkeypatch.setitem(data.DOWNLOADS, "toy", item)
    return item, content, source
