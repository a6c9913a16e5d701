"""The README's first command works: the example script runs against the emulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_first_calls_script_runs_end_to_end():
    scripts = Path(sys.executable).parent
    if not (scripts / "aiompsls").exists():
        pytest.fail("the aiompsls console script is not installed beside python")
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    for name in ("AIOMPSLS_ENDPOINT", "ALIBABA_CLOUD_PROFILE"):
        env.pop(name, None)
    done = subprocess.run(
        ["bash", str(ROOT / "examples" / "first_calls.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert '"Name": "hello"' in done.stdout
    assert "InvalidFunction.NotFound" in done.stderr
    assert "Traceback" not in done.stderr
