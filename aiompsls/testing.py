"""Helpers for testing code against the local emulator: fast policies and a ready pair.

It sits above both the client and the emulator and imports them. The pytest fixtures
of :mod:`aiompsls.pytest_plugin` are built from these helpers; use them directly with
any test runner on asyncio::

    async with running_emulator(faults="ListSpace.throttle=0.5") as emulator:
        async with client_for(emulator) as client:
            await client.create_space(name="demo", desc="test")
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from aiompsls._core.retry import RetryPolicy
from aiompsls._core.waiting import WaitPolicy
from aiompsls.client import Client
from aiompsls.config import ClientConfig
from aiompsls.credentials import Credentials
from aiompsls.emulator import Emulator
from aiompsls.emulator.faults import FaultPlan

__all__ = [
    "FAST_RETRIES",
    "FAST_WAITS",
    "TEST_CREDENTIALS",
    "client_for",
    "make_emulator",
    "running_emulator",
]

#: The access key the test emulator accepts and the test client signs with.
TEST_CREDENTIALS: Final = Credentials(
    access_key_id="LTAIaiompslsTestingKey",
    access_key_secret="aiompsls-testing-secret",  # noqa: S106 - a test key
)
#: Retries for tests: four attempts, pauses of at most 10 ms.
FAST_RETRIES: Final = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.01)
#: A waiter cadence for tests (``policy=FAST_WAITS``): polls 1 ms apart, doubling up
#: to 20 ms, at most 500 polls (about ten seconds in all).
FAST_WAITS: Final = WaitPolicy(delay=0.001, max_delay=0.02, max_attempts=500)


def make_emulator(
    *,
    credentials: Credentials = TEST_CREDENTIALS,
    faults: FaultPlan | str | None = None,
) -> Emulator:
    """A fresh in-memory emulator accepting ``credentials``.

    Args:
        credentials: The access key to accept (an STS token is required if set).
        faults: The fault plan, or its spec in the ``--faults`` grammar.

    Raises:
        FaultSpecError: ``faults`` is a spec that cannot be read.
    """
    return Emulator(
        access_key_id=credentials.access_key_id,
        access_key_secret=credentials.access_key_secret,
        security_token=credentials.security_token,
        faults=faults,
    )


@asynccontextmanager
async def running_emulator(
    *,
    credentials: Credentials = TEST_CREDENTIALS,
    faults: FaultPlan | str | None = None,
) -> AsyncIterator[Emulator]:
    """Serve a fresh in-memory emulator on 127.0.0.1 (a free port) for the block.

    Args:
        credentials: The access key to accept.
        faults: The fault plan, or its spec in the ``--faults`` grammar.

    Yields:
        The running emulator (``emulator.endpoint`` is its URL).
    """
    emulator = make_emulator(credentials=credentials, faults=faults)
    async with emulator.running(host="127.0.0.1", port=0):
        yield emulator


def client_for(
    emulator: Emulator,
    *,
    credentials: Credentials = TEST_CREDENTIALS,
    retry: RetryPolicy = FAST_RETRIES,
    **settings: Any,
) -> Client:
    """A client for a running emulator; close it (``async with``) when done.

    Proxies from the environment are ignored: the emulator is on loopback.

    Args:
        emulator: A running emulator.
        credentials: The access key to sign with.
        retry: The retry policy; :data:`FAST_RETRIES` by default.
        **settings: Any other :class:`~aiompsls.ClientConfig` field.
    """
    settings.setdefault("trust_env", False)
    config = ClientConfig(endpoint=emulator.endpoint, retry=retry, **settings)
    return Client(credentials, config=config)
