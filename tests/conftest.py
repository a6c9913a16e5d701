"""Suite-wide fixtures: asyncio for aiohttp, function code to run, seeded uploads."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from aiompsls.emulator.buckets import FUNCTION_BUCKET
from aiompsls.emulator.handlers import function_runtime
from aiompsls.emulator.objects import ObjectStore
from aiompsls.emulator.packages import check_package
from aiompsls.emulator.records import DeploymentRecord

#: A function that answers with what it was given.
ECHO_SOURCE = """
exports.main = async (event, context) => {
  console.log("echo", JSON.stringify(event));
  return { event, functionName: context.functionName };
};
"""


@pytest.fixture(scope="session", autouse=True)
def default_state_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point the emulator's default state folder away from the user's home.

    ``serve`` without ``--memory`` or ``--state-dir`` keeps its state under
    ``$AIOMPSLS_EMULATOR_STATE``. The suite must never use that default: a test
    that does fails the session here, instead of leaving files in the home folder.
    """
    folder = tmp_path_factory.mktemp("default-state") / "emulator"
    before = os.environ.get("AIOMPSLS_EMULATOR_STATE")
    os.environ["AIOMPSLS_EMULATOR_STATE"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            del os.environ["AIOMPSLS_EMULATOR_STATE"]
        else:
            os.environ["AIOMPSLS_EMULATOR_STATE"] = before
    assert not folder.exists(), "a test used the default emulator state folder"


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only."""
    return "asyncio"


class PackageShelf:
    """Zips of function code by function name, served to RunFunction.

    Stands in for uploads through the deployment's signed URL until the OSS side
    hands the emulator's function runtime the uploaded package.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.packages: dict[str, Path] = {}

    def put(
        self, name: str, source: str = ECHO_SOURCE, files: dict[str, str] | None = None
    ) -> Path:
        """Shelve a zip with ``index.js`` = ``source`` (plus ``files``) for ``name``."""
        path = self.folder / f"{name}-{len(self.packages)}.zip"
        with zipfile.ZipFile(path, "w") as zipped:
            zipped.writestr("index.js", source)
            for member, text in (files or {}).items():
                zipped.writestr(member, text)
        self.packages[name] = path
        return path

    def lookup(self, ctx: Any, space: Any, dep: Any) -> Path | None:
        """The package of the deployment's function, if one was shelved."""
        return self.packages.get(dep.function_name)

    def upload(self, objects: ObjectStore, dep: DeploymentRecord) -> str | None:
        """At DeployFunction: store the shelved package as its upload, then check it."""
        path = self.packages.get(dep.function_name)
        if path is not None:
            objects.put_bytes(
                FUNCTION_BUCKET,
                dep.object_key,
                path.read_bytes(),
                content_type="application/zip",
                modified_ms=0,
            )
        return check_package(objects, dep)


@pytest.fixture
def function_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackageShelf:
    """Deployed functions run the code shelved for them (``shelf.put(name, js)``)."""
    folder = tmp_path / "function-packages"
    folder.mkdir()
    shelf = PackageShelf(folder)
    monkeypatch.setattr(function_runtime, "deployment_package", shelf.lookup)
    monkeypatch.setattr(function_runtime, "check_package", shelf.upload)
    return shelf


SeedUpload = Callable[[Any, str, bytes, str], None]


def _seed(state: Any, signed_url: str, data: bytes, content_type: str) -> None:
    path = unquote(urlsplit(signed_url).path)
    bucket, key = path.removeprefix("/_oss/").split("/", 1)
    state.objects.put_bytes(bucket, key, data, content_type=content_type, modified_ms=0)


@pytest.fixture
def seed_upload() -> SeedUpload:
    """``seed(state, signed_url, data, content_type)``: store what a PUT would."""
    return _seed


@pytest.fixture
def seed_package() -> Callable[[Any, str], None]:
    """``seed(state, upload_signed_url)``: upload a zip of the echo function."""

    def seed(state: Any, signed_url: str) -> None:
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as zipped:
            zipped.writestr("index.js", ECHO_SOURCE)
        _seed(state, signed_url, package.getvalue(), "application/zip")

    return seed
