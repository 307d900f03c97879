"""helpers.data: the look-up order, every failure mode, and the loaders."""

import datetime as dt
import io
import os
import re
import urllib.request

import numpy as np
import pytest

from helpers import data

# Look-up order and failure modes, on a toy download ---------------------------------------------


def test_unknown_data_set_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown data set 'nmes'.*names, tinyshakespeare, digits, dates"):
        data.load("nmes")
    with pytest.raises(ValueError, match="known ones are: names, tinyshakespeare"):
        data.path("nmes")


@pytest.mark.parametrize("name", ["digits", "dates", "shapes"])
def test_path_of_a_data_set_without_a_download_says_to_load_it(name):
    with pytest.raises(ValueError, match=rf"{name!r} needs no download.*data.load\({name!r}\)"):
        data.path(name)  # was "unknown data set 'digits'", though load("digits") works


def test_download_goes_into_the_cache(cache, toy):
    item, content, _ = toy
    file = data.path("toy")
    assert file == cache / "toy.txt" and file.read_bytes() == content
    assert os.listdir(cache) == ["toy.txt"]  # no temporary file left


def test_good_cached_copy_is_used_without_network(cache, toy, offline):
    item, content, _ = toy
    cache.mkdir()
    (cache / "toy.txt").write_bytes(content)
    assert data.path("toy").read_bytes() == content
    assert offline == []  # no download was tried


def test_mirror_is_copied_into_the_cache(cache, toy, offline, tmp_path, monkeypatch):
    item, content, _ = toy
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "toy.txt").write_bytes(content)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    assert data.path("toy") == cache / "toy.txt"
    assert (cache / "toy.txt").read_bytes() == content and offline == []


def test_corrupt_cached_copy_is_replaced_from_the_mirror(cache, toy, offline, tmp_path, monkeypatch):
    item, content, _ = toy
    cache.mkdir()
    (cache / "toy.txt").write_bytes(content[:-10])  # truncated, as by an interrupted copy
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "toy.txt").write_bytes(content)
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    assert data.path("toy").read_bytes() == content


def test_corrupt_cached_copy_is_replaced_from_the_url(cache, toy):
    item, content, _ = toy
    cache.mkdir()
    (cache / "toy.txt").write_bytes(b"<html>rate limited</html>")
    assert data.path("toy").read_bytes() == content


def test_corrupt_copies_are_never_used(cache, toy, offline, tmp_path, monkeypatch):
    item, content, _ = toy
    cache.mkdir()
    (cache / "toy.txt").write_bytes(b"damaged")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "toy.txt").write_bytes(content + b"extra")
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(mirror))
    with pytest.raises(data.ChecksumError) as error:
        data.path("toy")
    message = str(error.value)
    assert "cached copy" in message and "failed its checksum" in message
    assert "mirror's copy" in message and item.sha256 in message
    assert "make prefetch" in message
    assert sorted(os.listdir(cache)) == ["toy.txt"]  # nothing half-written beside it


def test_download_with_wrong_checksum_is_not_kept(cache, toy):
    item, content, source = toy
    source.write_bytes(b"not the file we expect")
    with pytest.raises(data.ChecksumError, match="SHA-256"):
        data.path("toy")
    assert not cache.exists() or os.listdir(cache) == []


def test_interrupted_download_leaves_nothing(cache, toy, monkeypatch):
    item, content, _ = toy

    class Broken(io.BytesIO):
        headers = {"Content-Length": str(len(content))}

        def read(self, size=-1):
            if self.tell() > 1000:
                raise ConnectionResetError("connection reset by peer")
            return super().read(min(size, 500))

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: Broken(content))
    with pytest.raises(data.DataError, match="connection reset"):
        data.path("toy")
    assert os.listdir(cache) == []


def test_offline_without_a_copy_says_what_to_do(cache, offline):
    """The real names entry with neither mirror nor network: one clear error."""
    with pytest.raises(data.DataError) as error:
        data.load("names")
    message = str(error.value)
    assert not isinstance(error.value, data.ChecksumError)
    assert data.DOWNLOADS["names"].url in message
    assert "make prefetch" in message and "COURSE_DATA_MIRROR" in message
    assert str(cache / "names.txt") in message
    assert offline == [data.DOWNLOADS["names"].url]


def test_mirror_without_the_file_is_reported(cache, toy, offline, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.DataError, match="has no toy.txt"):
        data.path("toy")


def test_relative_settings_are_taken_from_the_repository_root(monkeypatch):
    from helpers import paths

    monkeypatch.setenv("COURSE_DATA_DIR", "somewhere/cache")
    assert paths.data_dir() == paths.root() / "somewhere" / "cache"


def test_prefetch_fills_the_cache(cache, toy, monkeypatch):
    item, content, _ = toy
    monkeypatch.setattr(data, "DOWNLOADS", {"toy": item})
    assert data.prefetch() == [cache / "toy.txt"]
    assert (cache / "toy.txt").read_bytes() == content


# Loaders ------------------------------------------------------------------------------------------


def test_names_splits_are_fixed_disjoint_and_complete():
    everything = data.load("names")
    parts = {s: data.load("names", split=s) for s in ("train", "valid", "test")}
    assert len(everything) == 32_033 and everything[:3] == ["emma", "olivia", "ava"]
    assert [len(p) for p in parts.values()] == [25_626, 3_203, 3_204]
    assert sorted(sum(parts.values(), [])) == sorted(everything)
    assert parts["test"] == data.load("names", split="test")
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        data.load("names", split="dev")


def test_tinyshakespeare_split_is_first_90_and_last_10_percent():
    text = data.load("tinyshakespeare")
    train, valid = data.load("tinyshakespeare", split="train"), data.load("tinyshakespeare", split="valid")
    assert len(text) == 1_115_394 and text.startswith("First Citizen:")
    assert train + valid == text and len(train) == int(0.9 * len(text))


def test_digits_images_and_labels():
    images, labels = data.load("digits")
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels.shape == (1797,) and set(labels.tolist()) == set(range(10))
    train, test = data.load("digits", split="train"), data.load("digits", split="test")
    assert len(train[0]) + len(test[0]) == 1797
    assert len(test[0]) == round(0.2 * 1797)


EXAMPLES = {  # one day in every format, written by hand
    "{d} {month} {yyyy}": "3 March 2021",
    "{mon} {d}, {yy}": "Mar 3, 21",
    "{mm}/{dd}/{yyyy}": "03/03/2021",
    "{wday}, {month} {dth} {yyyy}": "Wednesday, March 3rd 2021",
    "{month} {d}, {yyyy}": "March 3, 2021",
    "{m}/{d}/{yy}": "3/3/21",
    "{d}.{m}.{yyyy}": "3.3.2021",
    "{dd}.{mm}.{yy}": "03.03.21",
    "{dth} of {month} {yyyy}": "3rd of March 2021",
    "{wd} {d} {mon} {yyyy}": "Wed 3 Mar 2021",
    "{d} {MON} {yyyy}": "3 MAR 2021",
    "{yyyy}{mm}{dd}": "20210303",
    "the {dth} of {lmonth}, {yyyy}": "the 3rd of march, 2021",
    "{MONTH} {d} {yyyy}": "MARCH 3 2021",
    "{wday} {d} {month} {yyyy}": "Wednesday 3 March 2021",
    "{yyyy}/{mm}/{dd}": "2021/03/03",
    "{mon} {dd} {yyyy}": "Mar 03 2021",
    "{yyyy}-{mm}-{dd}": "2021-03-03",
    "{d}-{mon}-{yy}": "3-Mar-21",
    "{wd}, {dd} {mon} {yyyy}": "Wed, 03 Mar 2021",
}


def test_date_formats_write_what_people_write():
    assert len(data.DATE_FORMATS) >= 15 and set(data.DATE_FORMATS) == set(EXAMPLES)
    for fmt, expected in EXAMPLES.items():
        assert data.format_date(dt.date(2021, 3, 3), fmt) == expected
    # month and day differ here, so the conventions show: slashes month first, dots day first
    assert data.format_date(dt.date(1999, 11, 2), "{mm}/{dd}/{yyyy}") == "11/02/1999"
    assert data.format_date(dt.date(1999, 11, 2), "{d}.{m}.{yyyy}") == "2.11.1999"
    assert data.format_date(dt.date(2012, 1, 11), "{dth} of {month} {yyyy}") == "11th of January 2012"
    assert data.format_date(dt.date(2012, 1, 22), "{wd}, {dd} {mon} {yyyy}") == "Sun, 22 Jan 2012"


def test_dates_split_exactly_with_no_overlap():
    train, test = data.load("dates", split="train"), data.load("dates", split="test")
    assert len(train) == 20_000 and len(test) == 2_000
    for pairs in (train, test):
        assert len({h for h, _ in pairs}) == len(pairs)  # no input twice
        for human, iso in pairs:
            day = dt.date.fromisoformat(iso)
            assert data.FIRST_DAY <= day <= data.LAST_DAY
            assert str(day.year % 100).zfill(2) in human or str(day.year) in human
    assert not {iso for _, iso in train} & {iso for _, iso in test}
    assert not {h for h, _ in train} & {h for h, _ in test}
    # every format is used, and each pair's input is its target written in one of them
    used = set()
    for human, iso in train[:3000]:
        day = dt.date.fromisoformat(iso)
        matches = [f for f in data.DATE_FORMATS if data.format_date(day, f) == human]
        assert matches, human
        used.update(matches)
    assert used == set(data.DATE_FORMATS)


def test_dates_follow_the_seed():
    assert data.load("dates", size=50, seed=1) == data.load("dates", size=50, seed=1)
    assert data.load("dates", size=50, seed=1) != data.load("dates", size=50, seed=2)
    assert len(data.load("dates", split="test", size=3000)) == 3000
    with pytest.raises(ValueError, match="size must be between 0 and"):
        data.load("dates", split="test", size=10**6)
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        data.load("dates", split="valid")


def test_two_digit_years_mean_1950_to_2049():
    for human, iso in data.load("dates", size=2000, seed=3):
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d\d", human):
            yy = int(human[-2:])
            assert int(iso[:4]) == (1900 + yy if yy >= 50 else 2000 + yy)


def test_date_format_finds_the_format_that_wrote_a_date():
    for human, iso in data.load("dates", split="test", size=300):
        fmt = data.date_format(human, iso)
        assert data.format_date(dt.date.fromisoformat(iso), fmt) == human
    assert data.date_format("2021-03-03", "2021-03-03") == "{yyyy}-{mm}-{dd}"
    with pytest.raises(ValueError, match="DATE_FORMATS"):
        data.date_format("3 March 2021", "2021-03-04")


def test_hold_out_days_splits_dates_by_day_as_notebooks_03_and_04_did():
    pairs = data.load("dates", split="train")
    kept, held = data.hold_out_days(pairs, days=500)
    days = sorted({iso for _, iso in pairs})  # the notebooks' own lines before the helper
    valid_days = set(np.random.default_rng(0).choice(days, size=500, replace=False))
    assert held == [p for p in pairs if p[1] in valid_days] and kept == [p for p in pairs if p[1] not in valid_days]
    assert len({iso for _, iso in held}) == 500 and not {iso for _, iso in held} & {iso for _, iso in kept}
    with pytest.raises(ValueError, match="days"):
        data.hold_out_days(pairs, days=0)
    assert data.hold_out_days(pairs, days=np.int64(500)) == (kept, held)  # was "must be a positive whole number"
    with pytest.raises(ValueError, match="days must be a positive whole number"):
        data.hold_out_days(pairs, days=np.float64(500.5))
    with pytest.raises(ValueError, match="all"):
        data.hold_out_days(pairs[:3], days=3)
