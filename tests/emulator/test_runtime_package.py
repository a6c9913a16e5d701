"""Deployment packages: what a zip may hold, where the entry is, safe extraction."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from aiompsls.emulator.runtime import (
    PackageError,
    PackageLimits,
    extract_package,
    inspect_package,
)

MAIN = "exports.main = async () => 1;"


def make_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, text in members.items():
            zipped.writestr(name, text)
    return path


@pytest.mark.parametrize(
    ("members", "entry"),
    [
        ({"index.js": MAIN}, "index.js"),
        ({"package.json": '{"main": "src/app.js"}', "src/app.js": MAIN}, "src/app.js"),
        ({"package.json": '{"main": "src/app"}', "src/app.js": MAIN}, "src/app.js"),
        ({"package.json": '{"main": "lib"}', "lib/index.js": MAIN}, "lib/index.js"),
        ({"package.json": '{"name": "x"}', "index.js": MAIN}, "index.js"),
        ({"hello/index.js": MAIN, "hello/util.js": ""}, "hello/index.js"),
        (
            {"hello/package.json": '{"main": "m.js"}', "hello/m.js": MAIN},
            "hello/m.js",
        ),
    ],
)
def test_the_entry_is_index_js_or_package_json_main(tmp_path, members, entry):
    archive = make_zip(tmp_path / "code.zip", members)
    assert inspect_package(archive) == PurePosixPath(entry)
    extracted = extract_package(archive, tmp_path / "out")
    assert extracted == tmp_path.joinpath("out", *PurePosixPath(entry).parts)
    assert extracted.read_text() == MAIN


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"/etc/evil.js": "", "index.js": MAIN}, "absolute path"),
        ({"\\evil.js": "", "index.js": MAIN}, "absolute path"),
        ({"C:/evil.js": "", "index.js": MAIN}, "absolute path"),
        ({"../evil.js": "", "index.js": MAIN}, "outside the package"),
        ({"a/../../evil.js": "", "index.js": MAIN}, "outside the package"),
        ({"a\\..\\..\\evil.js": "", "index.js": MAIN}, "outside the package"),
        ({"main.js": MAIN}, "no entry file index.js"),
        ({"package.json": '{"main": "gone.js"}'}, "no entry file gone.js"),
        ({"package.json": '{"main": "../up.js"}', "index.js": MAIN}, "outside"),
        ({"package.json": '{"main": 3}', "index.js": MAIN}, "'main' must name"),
        ({"package.json": "{oops", "index.js": MAIN}, "not valid JSON"),
    ],
)
def test_unsafe_or_entryless_packages_are_refused_before_anything_is_written(
    tmp_path, members, reason
):
    archive = make_zip(tmp_path / "code.zip", members)
    with pytest.raises(PackageError, match=reason):
        inspect_package(archive)
    with pytest.raises(PackageError, match=reason):
        extract_package(archive, tmp_path / "out" / "pkg")
    assert not (tmp_path / "evil.js").exists()
    assert not (tmp_path / "out").exists()


def test_a_symbolic_link_is_refused(tmp_path):
    archive = tmp_path / "code.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.js", MAIN)
        link = zipfile.ZipInfo("passwd")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(link, "/etc/passwd")
    with pytest.raises(PackageError, match="symbolic link"):
        inspect_package(archive)


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (PackageLimits(max_archive_bytes=100), "larger than 100 bytes"),
        (PackageLimits(max_unpacked_bytes=10_000), "unpacks to more than 10000"),
        (PackageLimits(max_entries=2), "more than 2 entries"),
    ],
)
def test_packages_beyond_the_limits_are_refused(tmp_path, limits, reason):
    members = {"index.js": MAIN, "zeros.txt": "0" * 20_000, "b.js": ""}
    archive = make_zip(tmp_path / "code.zip", members)
    assert (tmp_path / "code.zip").stat().st_size < 1000  # compresses well
    with pytest.raises(PackageError, match=reason):
        extract_package(archive, tmp_path / "out", limits)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"not a zip", "not a readable zip"), (None, "cannot be read")],
)
def test_a_missing_or_non_zip_package_is_refused(tmp_path, content, reason):
    archive = tmp_path / "code.zip"
    if content is not None:
        archive.write_bytes(content)
    with pytest.raises(PackageError, match=reason):
        inspect_package(archive)


def test_a_damaged_member_is_refused_and_nothing_is_left_behind(tmp_path):
    archive = make_zip(tmp_path / "code.zip", {"index.js": MAIN * 50})
    data = bytearray(archive.read_bytes())
    start = data.index(b"index.js") + len("index.js")  # the local header's name
    data[start + 5] ^= 0xFF  # a byte of the compressed data
    archive.write_bytes(bytes(data))
    with pytest.raises(PackageError, match="not a readable zip"):
        extract_package(archive, tmp_path / "out" / "pkg")
    assert list((tmp_path / "out").iterdir()) == []
