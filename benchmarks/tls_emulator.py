"""Serve the aiompsls emulator over HTTPS until SIGINT or SIGTERM (benchmark helper).

``aiompsls emulator serve`` has no TLS option yet, so the benchmark runs this script
instead: ``python tls_emulator.py --cert-chain server.pem``, where the PEM holds the
private key and the certificate chain. Like ``serve``, the first stdout line is
``{"endpoint", "access_key_id", "access_key_secret"}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import ssl
import sys
from collections.abc import Sequence

from aiohttp import web

from aiompsls.emulator import Emulator
from aiompsls.emulator.serve import generate_credentials


def server_context(cert_chain: str) -> ssl.SSLContext:
    """A TLS server context presenting the key and chain in ``cert_chain``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_chain)
    return context


async def serve(host: str, port: int, cert_chain: str) -> None:
    """Serve a fresh emulator over HTTPS; announce it on stdout; stop on a signal."""
    key_id, secret = generate_credentials()
    emulator = Emulator(access_key_id=key_id, access_key_secret=secret)
    runner = web.AppRunner(emulator.app, access_log=None, handle_signals=False)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        site = web.TCPSite(runner, host, port, ssl_context=server_context(cert_chain))
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        announcement = {
            "endpoint": f"https://{bound_host}:{bound_port}",
            "access_key_id": key_id,
            "access_key_secret": secret,
        }
        sys.stdout.write(json.dumps(announcement) + "\n")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options and serve until a signal arrives."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--cert-chain", required=True, help="PEM with the key and the certificates"
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.cert_chain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
