"""The generated sources match a fresh run of the generator, and names convert right."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aiompsls._codegen import __main__ as codegen_main
from aiompsls._codegen.generate import PACKAGE_ROOT, changed_files, render_all
from aiompsls._codegen.naming import pascal, snake
from aiompsls._codegen.spec import SpecError, load


def test_committed_files_equal_a_fresh_run():
    assert changed_files(PACKAGE_ROOT) == []


def test_drift_is_detected_in_a_copy(tmp_path: Path):
    copy = tmp_path / "aiompsls"
    shutil.copytree(PACKAGE_ROOT, copy)
    target = copy / "models" / "space.py"
    target.write_text(target.read_text() + "# hand edit\n")
    (copy / "waiters.py").unlink()
    assert changed_files(copy) == ["models/space.py", "waiters.py"]
    assert codegen_main.main(["--check", "--out", str(copy)]) == 1
    assert codegen_main.main(["--out", str(copy)]) == 0
    assert codegen_main.main(["--check", "--out", str(copy)]) == 0


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("RunDBCommand", "run_db_command"),
        ("DescribeFCOpenStatus", "describe_fc_open_status"),
        ("QueryDBBackupDumpTimes", "query_db_backup_dump_times"),
        ("ListWebHostingFiles", "list_web_hosting_files"),
        ("CloudDB", "cloud_db"),
        ("ETag", "etag"),
        ("HttpStatusCode", "http_status_code"),
        ("SpaceId", "space_id"),
    ],
)
def test_snake_case_names(wire: str, python: str):
    assert snake(wire) == python


def test_pascal_round_trip_is_checked_by_metadata():
    assert pascal("space_id") == "SpaceId"
    assert pascal("cloud_db") != "CloudDB"  # so the generator records a wire name


def test_every_action_and_method_is_rendered():
    spec = load()
    files = render_all(spec)
    assert len(spec.actions) == 72
    for action in spec.actions:
        assert f"async def {action.method}(" in files["_actions.py"]
        assert f"class {action.name}Request(" in files[f"models/{action.group}.py"]


def test_a_spec_with_an_unknown_type_is_rejected(tmp_path: Path):
    source = (PACKAGE_ROOT / "_spec" / "mpserverless.toml").read_text()
    broken = source.replace('type = "integer"', 'type = "number"', 1)
    path = tmp_path / "spec.toml"
    path.write_text(broken)
    with pytest.raises(SpecError, match="unknown type 'number'"):
        load(path)
