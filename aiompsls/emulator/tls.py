"""HTTPS for the emulator: a certificate authority and server certificate made at start.

Needs the optional ``trustme`` package (``pip install 'aiompsls[emulator-tls]'``); the
certificate is valid for ``127.0.0.1``, ``::1`` and ``localhost``, and the CA's PEM is
written where clients can read it (``ClientConfig(ca_bundle=...)``).
"""

from __future__ import annotations

import importlib
import ssl
from pathlib import Path

__all__ = ["CA_FILE", "TlsUnavailableError", "server_tls"]

#: The name of the CA certificate file written into the state (or temporary) folder.
CA_FILE = "emulator-ca.pem"
_NAMES = ("127.0.0.1", "::1", "localhost")


class TlsUnavailableError(Exception):
    """``--tls`` was asked for and the ``trustme`` package is not installed."""


def server_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A fresh CA and server certificate: the server context and the CA file path.

    Args:
        folder: Where the CA certificate PEM is written (as :data:`CA_FILE`).

    Raises:
        TlsUnavailableError: ``trustme`` is not installed.
    """
    try:
        trustme = importlib.import_module("trustme")
    except ImportError:
        raise TlsUnavailableError(
            "--tls needs the trustme package: pip install 'aiompsls[emulator-tls]'"
        ) from None
    authority = trustme.CA()
    certificate = authority.issue_cert(*_NAMES)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = folder / CA_FILE
    folder.mkdir(parents=True, exist_ok=True)
    authority.cert_pem.write_to_path(str(ca_file))
    return context, ca_file
