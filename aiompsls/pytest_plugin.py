"""The aiompsls pytest plugin: a local emulator and a client for it, as fixtures.

Installed as the ``pytest11`` entry point ``aiompsls``, so pytest loads it wherever
aiompsls is installed. It only registers the ``mpsls_faults`` marker and the fixtures
below, and imports the emulator only when a test uses one of them.

The fixtures are function-scoped async fixtures, so the tests using them need an
async test runner on asyncio: the anyio pytest plugin (``@pytest.mark.anyio`` or
``anyio_mode = "auto"``) or pytest-asyncio in auto mode.

- ``mpsls_emulator``: an in-memory :class:`~aiompsls.emulator.Emulator` served on
  127.0.0.1 at a free port for the test, accepting
  :data:`aiompsls.testing.TEST_CREDENTIALS`.
- ``mpsls_client``: an :class:`aiompsls.Client` for it with fast retries
  (:data:`aiompsls.testing.FAST_RETRIES`), closed after the test.

``@pytest.mark.mpsls_faults("throttle=0.5")`` gives the emulator a fault plan in
the ``--faults`` grammar, as does indirect parametrisation of ``mpsls_emulator``
with specs.

It has no assertions for pytest to rewrite (PYTEST_DONT_REWRITE), so loading it
with ``-p aiompsls.pytest_plugin`` after the entry point has imported it raises no
"already imported" warning, however aiompsls was installed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from aiompsls.client import Client
    from aiompsls.emulator import Emulator
    from aiompsls.emulator.faults import FaultPlan

__all__ = ["FAULTS_MARKER", "mpsls_client", "mpsls_emulator", "pytest_configure"]

#: The marker that sets the fault plan of ``mpsls_emulator``.
FAULTS_MARKER: Final = "mpsls_faults"


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``mpsls_faults`` marker."""
    config.addinivalue_line(
        "markers",
        f"{FAULTS_MARKER}(spec): the fault plan of the mpsls_emulator fixture, in the "
        "--faults grammar of 'aiompsls emulator serve' (e.g. 'throttle=0.5')",
    )


def _faults(request: pytest.FixtureRequest) -> FaultPlan | str | None:
    """The fault plan asked for by indirect parametrisation, else by the marker."""
    param: FaultPlan | str | None = getattr(request, "param", None)
    if param is not None:
        return param
    marker = request.node.get_closest_marker(FAULTS_MARKER)
    if marker is None:
        return None
    if len(marker.args) != 1 or marker.kwargs:
        pytest.fail(
            f"@pytest.mark.{FAULTS_MARKER} takes one fault spec, "
            f'e.g. @pytest.mark.{FAULTS_MARKER}("throttle=0.5")',
            pytrace=False,
        )
    spec: FaultPlan | str = marker.args[0]
    return spec


@pytest.fixture
async def mpsls_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    """An in-memory emulator on 127.0.0.1 at a free port, running for the test."""
    from aiompsls.emulator.faults import FaultSpecError
    from aiompsls.testing import make_emulator

    try:
        emulator = make_emulator(faults=_faults(request))
    except FaultSpecError as exc:
        pytest.fail(f"the fault plan of mpsls_emulator: {exc}", pytrace=False)
    async with emulator.running(host="127.0.0.1", port=0):
        yield emulator


@pytest.fixture
async def mpsls_client(mpsls_emulator: Emulator) -> AsyncIterator[Client]:
    """A client signed for ``mpsls_emulator``, with fast retries; closed afterwards."""
    from aiompsls.testing import client_for

    async with client_for(mpsls_emulator) as client:
        yield client
