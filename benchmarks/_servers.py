"""The emulator under benchmark, each run in a process of its own.

``python -m aiompsls.emulator serve --port 0 --memory`` (plus ``--tls`` for HTTPS, which
makes a throwaway CA). It announces itself with one JSON line on stdout, which
:func:`emulator_process` reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs

STARTUP_TIMEOUT_S = 30.0


@attrs.frozen(kw_only=True)
class Server:
    """A running emulator and what a client needs to reach it.

    Attributes:
        endpoint: ``http://127.0.0.1:PORT`` or ``https://127.0.0.1:PORT``.
        access_key_id: The AccessKey id it accepts.
        access_key_secret: Its secret.
        ca_path: PEM of the emulator's throwaway CA (HTTPS only).
        bundle_path: PEM of certifi's roots plus that CA (HTTPS only), for the
            official SDK, which loads ``certifi.where()`` on every call.
    """

    endpoint: str
    access_key_id: str
    access_key_secret: str = attrs.field(repr=False)
    ca_path: Path | None = None
    bundle_path: Path | None = None

    @property
    def scheme(self) -> str:
        """``http`` or ``https``."""
        return self.endpoint.partition("://")[0]

    @property
    def host_port(self) -> str:
        """``127.0.0.1:PORT``: the endpoint without its scheme."""
        return self.endpoint.partition("://")[2]


def _certifi_roots() -> bytes:
    """certifi's CA bundle (it comes with the official SDK), or nothing without it."""
    try:
        import certifi
    except ImportError:
        return b""
    return Path(certifi.where()).read_bytes().rstrip(b"\n") + b"\n"


def _command(scheme: str) -> list[str]:
    command = [sys.executable, "-m", "aiompsls.emulator", "serve", "--port", "0"]
    command.append("--memory")
    return [*command, "--tls"] if scheme == "https" else command


def _bundle(ca_file: Path, directory: Path) -> Path:
    """certifi's roots plus the emulator's CA, for the official SDK."""
    bundle = directory / "certifi-plus-ca.pem"
    bundle.write_bytes(_certifi_roots() + ca_file.read_bytes())
    return bundle


def _read_announcement(proc: subprocess.Popen[str], log: Path) -> dict[str, str]:
    """The first stdout line of ``proc`` as JSON; RuntimeError if it never comes."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=STARTUP_TIMEOUT_S)
        raise RuntimeError(
            f"the emulator exited ({proc.returncode}) before announcing itself:\n"
            + log.read_text(errors="replace")
        )
    info: dict[str, str] = json.loads(line)
    return info


@contextmanager
def emulator_process(scheme: str, directory: Path) -> Iterator[Server]:
    """Run an emulator in its own process for the ``with`` block, then stop it.

    Args:
        scheme: ``http`` or ``https``.
        directory: Where the CA bundle and the emulator's stderr log go.
    """
    log = directory / f"emulator-{scheme}.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            _command(scheme), stdout=subprocess.PIPE, stderr=err, text=True
        )
    try:
        info = _read_announcement(proc, log)
        ca_path = Path(info["ca_file"]) if "ca_file" in info else None
        yield Server(
            endpoint=info["endpoint"],
            access_key_id=info["access_key_id"],
            access_key_secret=info["access_key_secret"],
            ca_path=ca_path,
            bundle_path=_bundle(ca_path, directory) if ca_path else None,
        )
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
