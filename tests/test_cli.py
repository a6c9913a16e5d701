"""The ``aiompsls`` command line, run in-process against the emulator on loopback."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import anyio.to_thread
import attrs
import pytest

from aiompsls import __version__
from aiompsls._core.operations import OPERATIONS
from aiompsls.cli import main
from aiompsls.emulator import Emulator
from aiompsls.emulator.handlers.webhosting_files import hosting_files, put_hosting_file

KEY_ID = "LTAIcliTestKey"
SECRET = "cli-test-secret-Zq8wX3"
ENV_NAMES = (
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
    "AIOMPSLS_ENDPOINT",
)


@attrs.frozen
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


RunCli = Callable[..., Awaitable[Result]]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real credentials, profiles or endpoint leak in; HOME is empty."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)


@pytest.fixture
def sync_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``main`` on this thread, for commands that never reach the network."""

    def run(*argv: str) -> Result:
        code = main(list(argv))
        captured = capsys.readouterr()
        return _checked(Result(code, captured.out, captured.err))

    return run


@pytest.fixture
async def emulator(
    monkeypatch: pytest.MonkeyPatch, keys: None
) -> AsyncIterator[Emulator]:
    """A running emulator that knows the test key; AIOMPSLS_ENDPOINT points at it."""
    emulator = Emulator(access_key_id=KEY_ID, access_key_secret=SECRET)
    async with emulator.running(host="127.0.0.1", port=0) as running:
        monkeypatch.setenv("AIOMPSLS_ENDPOINT", running.endpoint)
        yield running


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], emulator: Emulator) -> RunCli:
    """Run ``main`` (and its own event loop) in a worker thread beside the emulator."""

    async def run(*argv: str) -> Result:
        code = await anyio.to_thread.run_sync(main, list(argv))
        captured = capsys.readouterr()
        return _checked(Result(code, captured.out, captured.err))

    return run


def _checked(result: Result) -> Result:
    """Properties of every run: no secret, no traceback."""
    assert SECRET not in result.out + result.err
    assert "Traceback" not in result.err
    return result


@pytest.fixture
def refused_endpoint() -> Iterator[str]:
    """An address where nothing listens: the port is bound but never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


# --- successful calls -------------------------------------------------------------


async def test_call_prints_the_response_as_indented_json_with_wire_names(
    cli: RunCli,
) -> None:
    created = await cli("call", "CreateSpace", "--param", "Name=demo")
    assert created.code == 0, created.err
    space_id = created.json()["SpaceId"]  # type: ignore[index]
    listed = await cli("call", "ListSpace")
    assert listed.code == 0
    assert listed.err == ""
    assert '\n  "Spaces": [' in listed.out
    body = listed.json()
    assert isinstance(body, dict)
    assert body["Count"] == 1
    assert [(s["SpaceId"], s["Name"]) for s in body["Spaces"]] == [(space_id, "demo")]
    assert body["RequestId"]


async def test_json_flag_prints_one_compact_line(cli: RunCli) -> None:
    await cli("call", "CreateSpace", "--param", "Name=demo")
    result = await cli("call", "ListSpace", "--param", "PageSize=5", "--json")
    assert result.code == 0
    assert result.out.count("\n") == 1
    assert result.out.startswith('{"')
    assert ", " not in result.out
    assert result.json()["Spaces"][0]["Name"] == "demo"  # type: ignore[index]


async def test_snake_case_method_name_is_accepted(cli: RunCli) -> None:
    result = await cli("call", "list_space")
    assert result.code == 0
    assert result.json()["Count"] == 0  # type: ignore[index]


async def test_param_values_win_over_input_json(cli: RunCli) -> None:
    document = json.dumps({"Name": "fromInput", "Desc": "来自输入"})
    created = await cli(
        "call", "CreateSpace", "--input", document, "--param", "Name=fromParam"
    )
    assert created.code == 0, created.err
    space = (await cli("call", "ListSpace")).json()["Spaces"][0]  # type: ignore[index]
    assert (space["Name"], space["Desc"]) == ("fromParam", "来自输入")


async def test_non_ascii_output_is_printed_as_is(cli: RunCli) -> None:
    await cli("call", "CreateSpace", "-p", "Name=demo", "-p", "Desc=小程序")
    result = await cli("call", "ListSpace")
    assert "小程序" in result.out


async def test_input_from_a_file_and_from_stdin(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "params.json"
    path.write_text('{"Name": "fromFile"}', encoding="utf-8")
    assert (await cli("call", "CreateSpace", "--input", f"@{path}")).code == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"Name": "fromStdin"}'))
    assert (await cli("call", "CreateSpace", "--input", "-")).code == 0
    listed = (await cli("call", "ListSpace")).json()
    assert [s["Name"] for s in listed["Spaces"]] == ["fromFile", "fromStdin"]  # type: ignore[index]


async def test_input_accepts_numbers_and_booleans(cli: RunCli) -> None:
    for name in ("a", "b", "c"):
        await cli("call", "CreateSpace", "-p", f"Name={name}")
    result = await cli("call", "ListSpace", "--input", '{"PageNum": 1, "PageSize": 2}')
    assert result.code == 0, result.err
    assert [s["Name"] for s in result.json()["Spaces"]] == ["c"]  # type: ignore[index]


@pytest.mark.parametrize(
    "list_args",
    [
        ["-p", "FilePaths=/a.html", "-p", "FilePaths=/b.html"],
        ["-p", "FilePaths.2=/b.html", "-p", "FilePaths.1=/a.html"],
        ["--input", '{"FilePaths": ["/a.html", "/b.html"]}'],
    ],
    ids=["repeated", "indexed", "json-list"],
)
async def test_list_parameters_reach_the_service(
    cli: RunCli, emulator: Emulator, list_args: list[str]
) -> None:
    created = await cli("call", "CreateSpace", "-p", "Name=site")
    space_id = created.json()["SpaceId"]  # type: ignore[index]
    opened = await cli("call", "OpenWebHostingService", "-p", f"SpaceId={space_id}")
    assert opened.code == 0, opened.err
    objects = emulator.state.objects
    for name in ("a.html", "b.html", "c.html"):
        put_hosting_file(
            objects, space_id, name, b"<p>", content_type="text/html", modified_ms=0
        )
    result = await cli(
        "call", "BatchDeleteWebHostingFiles", "-p", f"SpaceId={space_id}", *list_args
    )
    assert result.code == 0, result.err
    remaining = hosting_files(objects, space_id)
    assert [info.key for info in remaining] == [f"{space_id}/c.html"]


async def test_acs3_signature_and_endpoint_option(
    cli: RunCli, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = emulator.endpoint
    monkeypatch.setenv("AIOMPSLS_ENDPOINT", "http://127.0.0.1:1")
    before = await cli(
        "--endpoint", endpoint, "call", "ListSpace", "--signature", "acs3"
    )
    after = await cli("call", "ListSpace", "--endpoint", endpoint)
    assert (before.code, after.code) == (0, 0), before.err + after.err


async def test_verbose_logs_to_stderr_without_secrets(cli: RunCli) -> None:
    result = await cli("-vv", "call", "ListSpace")
    assert result.code == 0
    assert "ListSpace" in result.err
    assert result.json()["Count"] == 0  # type: ignore[index]


# --- failures from the service and the network ------------------------------------


async def test_api_error_exits_1_with_code_message_and_request_id(cli: RunCli) -> None:
    result = await cli("call", "DeleteSpace", "--param", "SpaceId=missing")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[0] == (
        "error: InvalidSpaceId.NotFound: The specified SpaceId does not exist."
    )
    assert lines[1].startswith("request id: ")
    assert len(lines[1]) > len("request id: ")


async def test_wrong_secret_is_an_auth_error_that_never_shows_the_secret(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET[::-1])
    result = await cli("-vv", "call", "ListSpace")
    assert result.code == 1
    assert "\nerror: SignatureDoesNotMatch: " in result.err  # after the log lines
    assert SECRET[::-1] not in result.out + result.err


async def test_nothing_listening_is_a_transport_error(
    cli: RunCli, refused_endpoint: str
) -> None:
    result = await cli(
        "call", "ListSpace", "--endpoint", refused_endpoint, "--max-attempts", "1"
    )
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: TransportError: ")
    assert "request id" not in result.err


# --- usage errors -------------------------------------------------------------------

WEB_DELETE = ["call", "BatchDeleteWebHostingFiles", "-p", "SpaceId=s"]
USAGE_ERRORS = [
    (["call", "ListSpaces"], "unknown action 'ListSpaces' (did you mean ListSpace?)"),
    (["call", "listspace"], "did you mean ListSpace?"),
    (["call"], "an action is required"),
    (["call", "ListSpace", "--param", "PageSize"], "expected NAME=VALUE"),
    (["call", "ListSpace", "--param", "=5"], "expected NAME=VALUE"),
    (
        ["call", "CreateSpace", "--param", "Nmae=x"],
        "CreateSpace has no parameter 'Nmae' (did you mean Name?)",
    ),
    (["call", "DeleteSpace", "-p", "SpaceId.1=x"], "has no parameter 'SpaceId.1'"),
    (["call", "DeleteSpace", "-p", "SpaceId=a", "-p", "SpaceId=b"], "more than once"),
    (["call", "DeleteSpace"], "DeleteSpace needs the parameter SpaceId"),
    (
        ["call", "ListSpace", "--param", "PageSize=0"],
        "PageSize is not valid: must be at least 1",
    ),
    (["call", "ListSpace", "-p", "PageNum=abc"], "PageNum is not valid: expected an"),
    (
        ["call", "UpdateSpace", "-p", "SpaceId=s", "-p", "Status=OFF"],
        "Status is not valid: expected one of IN_SERVICE, PAUSED",
    ),
    (
        [*WEB_DELETE, "-p", "FilePaths.1=/a", "-p", "FilePaths.3=/c"],
        "FilePaths.N must be numbered from 1 without gaps",
    ),
    (
        [*WEB_DELETE, "-p", "FilePaths=/a", "-p", "FilePaths.2=/b"],
        "either as FilePaths=... or FilePaths.N=...",
    ),
    (["call", "ListSpace", "--input", "{"], "--input: the argument is not valid JSON"),
    (["call", "ListSpace", "--input", "[1]"], "expected a JSON object of parameters"),
    (
        ["call", "DeleteSpace", "--input", '{"SpaceId": ["a"]}'],
        "SpaceId must be a string, number or boolean, not an array",
    ),
    (
        ["call", "CreateSpace", "--input", '{"Name": {"a": 1}}'],
        "Name must be a string, number or boolean, not an object",
    ),
    (["call", "ListSpace", "--input", '{"Page": 1}'], "has no parameter 'Page'"),
    (["call", "ListSpace", "--input", "@no-such-file.json"], "--input: cannot read"),
    (["call", "ListSpace", "--signature", "v2"], "invalid choice: 'v2'"),
    (
        ["call", "ListSpace", "--max-attempts", "0"],
        "argument --max-attempts: must be at least 1",
    ),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (
        ["call", "ListSpace", "--endpoint", "ftp://x"],
        "the scheme must be https or http",
    ),
]


@pytest.mark.parametrize(("argv", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2_and_say_what_is_wrong(
    sync_cli: Callable[..., Result], keys: None, argv: list[str], message: str
) -> None:
    result = sync_cli(*argv)
    assert result.code == 2
    assert result.out == ""
    assert message in result.err
    assert "error: " in result.err


def test_missing_credentials_are_a_usage_error(sync_cli: Callable[..., Result]) -> None:
    result = sync_cli("call", "ListSpace")
    assert result.code == 2
    assert "no credentials found" in result.err
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in result.err


def test_unknown_profile_is_a_usage_error(
    sync_cli: Callable[..., Result], keys: None
) -> None:
    result = sync_cli("call", "ListSpace", "--profile", "nope")
    assert result.code == 2
    assert "profile 'nope' not found" in result.err


def test_no_command_prints_help_and_exits_2(sync_cli: Callable[..., Result]) -> None:
    result = sync_cli()
    assert result.code == 2
    assert "usage: aiompsls" in result.err


# --- listing, help, version, entry points -----------------------------------------


@pytest.mark.parametrize("argv", [["call", "--list"], ["actions"]])
def test_action_list_names_every_action_with_its_group(
    sync_cli: Callable[..., Result], argv: list[str]
) -> None:
    result = sync_cli(*argv)
    assert result.code == 0
    rows = {line.split()[0]: line.split()[1] for line in result.out.splitlines()}
    assert rows == {name: op.group for name, op in OPERATIONS.items()}
    listing = next(
        line for line in result.out.splitlines() if line.startswith("ListSpace ")
    )
    assert listing.endswith("Call ListSpace to query the list of service spaces.")


@pytest.mark.parametrize("action", ["CreateFunction", "create_function"])
def test_action_help_shows_each_parameter(
    sync_cli: Callable[..., Result], action: str
) -> None:
    result = sync_cli("call", action, "--help")
    assert result.code == 0
    assert result.out.startswith("usage: aiompsls call CreateFunction ")
    assert "Call CreateFunction to create a cloud function." in result.out
    assert "  Name (string; required; pattern " in result.out
    assert (
        "  Runtime (string; optional; one of nodejs8, nodejs12; default nodejs12)"
        in (result.out)
    )
    assert "Function name. The function name must be 1-30 characters" in result.out
    for param in OPERATIONS["CreateFunction"].params:
        assert f"\n  {param.name} (" in result.out


def test_list_parameter_help_explains_both_forms(
    sync_cli: Callable[..., Result],
) -> None:
    result = sync_cli("call", "BatchDeleteWebHostingFiles", "-h")
    assert "  FilePaths (list (repeat NAME=VALUE or NAME.N=VALUE); required)" in (
        result.out
    )


def test_call_help_without_action_describes_the_options(
    sync_cli: Callable[..., Result],
) -> None:
    result = sync_cli("call", "--help")
    assert result.code == 0
    assert "--param NAME=VALUE" in result.out
    assert "--input JSON|@FILE|-" in result.out


def test_version(sync_cli: Callable[..., Result]) -> None:
    result = sync_cli("--version")
    assert (result.code, result.out) == (0, f"aiompsls {__version__}\n")


def test_emulator_without_a_subcommand_is_a_usage_error(
    sync_cli: Callable[..., Result],
) -> None:
    result = sync_cli("emulator")
    assert result.code == 2
    assert "usage: aiompsls emulator serve" in result.err
    helped = sync_cli("emulator", "--help")
    assert (helped.code, helped.err) == (0, "")
    assert "usage: aiompsls emulator serve" in helped.out


def test_emulator_serve_hands_its_arguments_to_the_emulator(
    sync_cli: Callable[..., Result],
) -> None:
    result = sync_cli("-v", "emulator", "serve", "--help")
    assert result.code == 0
    assert "usage:" in result.out
    assert "--port" in result.out


def test_python_dash_m_runs_the_same_command_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "aiompsls", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (0, f"aiompsls {__version__}\n")


def test_emulator_serve_option_errors_come_from_its_own_parser(
    sync_cli: Callable[..., Result],
) -> None:
    result = sync_cli("emulator", "serve", "--bogus")
    assert result.code == 2
    assert "aiompsls emulator serve: error: unrecognized arguments: --bogus" in (
        result.err
    )


class _InterruptedStdin(io.StringIO):
    def read(self, size: int | None = -1) -> str:
        raise KeyboardInterrupt


def test_ctrl_c_exits_130_without_a_traceback(
    sync_cli: Callable[..., Result], keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _InterruptedStdin())
    result = sync_cli("call", "ListSpace", "--input", "-")
    assert (result.code, result.out, result.err) == (130, "", "aborted\n")


def test_bad_endpoint_in_the_environment_is_a_usage_error(
    sync_cli: Callable[..., Result], keys: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIOMPSLS_ENDPOINT", "http://exa mple")
    result = sync_cli("call", "ListSpace")
    assert result.code == 2
    assert "AIOMPSLS_ENDPOINT: endpoint 'http://exa mple'" in result.err


def test_a_closed_stdout_ends_the_script_quietly_with_status_1() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "aiompsls", "actions"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (completed.returncode, completed.stderr) == (1, "")
