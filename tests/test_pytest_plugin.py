"""The pytest plugin, run the way users run it: inner pytest sessions via pytester.

Most runs load the plugin explicitly (``-p aiompsls.pytest_plugin``) with entry-point
autoloading off, so they do not depend on how aiompsls is installed; the entry-point
tests check the installed ``pytest11`` registration itself.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import tomllib
from pathlib import Path

import pytest

from aiompsls import pytest_plugin, testing

pytest_plugins = ["pytester"]

EXPLICIT = ("-p", "anyio.pytest_plugin", "-p", "aiompsls.pytest_plugin")
ROOT = Path(__file__).parents[1]
PYPROJECT = ROOT / "pyproject.toml"
README_SECTION = "## Testing your code against the emulator"

USES_THE_FIXTURES = """
import pytest

import aiompsls
from aiompsls import testing

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_the_client_reaches_the_emulator(mpsls_client, mpsls_emulator):
    created = await mpsls_client.create_space(name="demo", desc="plugin")
    assert list(mpsls_emulator.state.spaces) == [created.space_id]
    assert mpsls_client.config.retry == testing.FAST_RETRIES
    assert mpsls_emulator.endpoint.startswith("http://127.0.0.1:")


async def test_each_test_gets_a_fresh_emulator(mpsls_emulator):
    assert mpsls_emulator.state.spaces == {}
    assert mpsls_emulator.faults.plan.is_empty


@pytest.mark.mpsls_faults("ListSpace.throttle=1")
async def test_the_marker_sets_the_faults(mpsls_client):
    await mpsls_client.create_space(name="fine", desc="not faulted")
    with pytest.raises(aiompsls.ThrottlingError):
        await mpsls_client.list_space()


@pytest.mark.parametrize("mpsls_emulator", ["CreateSpace.internal=1"], indirect=True)
async def test_indirect_parametrisation_sets_the_faults(mpsls_client):
    with pytest.raises(aiompsls.ServiceError) as info:
        await mpsls_client.create_space(name="demo", desc="faulted")
    assert info.value.code == "InternalError"
"""


@pytest.fixture
def inner(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    """A pytester whose runs warn as errors and load only the plugins named."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    return pytester


def test_the_fixtures_serve_a_users_tests(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_users=USES_THE_FIXTURES)
    result = inner.runpytest(*EXPLICIT)
    result.assert_outcomes(passed=4)


def readme_example() -> str:
    """The first Python block of the README's section on testing."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split(README_SECTION)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_passes(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_readme=readme_example())
    result = inner.runpytest(*EXPLICIT)
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            '@pytest.mark.mpsls_faults("throttle=2")',
            "the fault plan of mpsls_emulator: fault spec item 'throttle=2': "
            "a rate must be from 0 to 1",
        ),
        (
            "@pytest.mark.mpsls_faults()",
            "@pytest.mark.mpsls_faults takes one fault spec",
        ),
    ],
)
def test_a_bad_marker_fails_the_test_with_a_clear_message(
    inner: pytest.Pytester, marker: str, message: str
) -> None:
    inner.makepyfile(
        test_bad=f"""
import pytest

@pytest.fixture
def anyio_backend():
    return "asyncio"

@pytest.mark.anyio
{marker}
async def test_never_runs(mpsls_emulator):
    raise AssertionError("unreachable")
"""
    )
    result = inner.runpytest(*EXPLICIT)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{message}*"])


def test_the_plugin_leaves_other_tests_alone(inner: pytest.Pytester) -> None:
    inner.makepyfile(
        test_plain="""
import sys

def test_the_emulator_is_not_imported():
    assert "aiompsls.emulator" not in sys.modules
"""
    )
    result = inner.runpytest_subprocess(*EXPLICIT, "--strict-markers")
    result.assert_outcomes(passed=1)


def test_the_marker_is_registered(inner: pytest.Pytester) -> None:
    result = inner.runpytest(*EXPLICIT, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mpsls_faults(spec):*"])


def test_pyproject_declares_the_pytest11_entry_point() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"aiompsls": "aiompsls.pytest_plugin"}


def installed_entry_point() -> importlib.metadata.EntryPoint:
    found = importlib.metadata.entry_points(group="pytest11", name="aiompsls")
    if not found:
        pytest.skip("aiompsls is installed without its entry points (not via pip)")
    return next(iter(found))


def test_the_installed_entry_point_is_the_plugin() -> None:
    assert installed_entry_point().load() is pytest_plugin


def test_the_installed_entry_point_loads_by_itself(pytester: pytest.Pytester) -> None:
    installed_entry_point()
    pytester.makepyfile(test_users=USES_THE_FIXTURES)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize("module", [testing, pytest_plugin])
def test_the_testing_modules_document_their_public_objects(module: object) -> None:
    exported = list(getattr(module, "__all__", ()))
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    for name in exported:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), name
