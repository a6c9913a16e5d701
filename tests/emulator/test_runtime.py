"""The function runtime: exports.main under Node.js, its output, its limits."""

from __future__ import annotations

import json
import shutil
import zipfile
from importlib import resources
from pathlib import Path

import anyio
import pytest

from aiompsls.emulator.runtime import (
    FailureKind,
    FunctionRuntime,
    Invocation,
    NodeUnavailableError,
    Outcome,
    PackageError,
)
from aiompsls.emulator.runtime.collect import MAX_LINE_CHARS, MAX_LOG_CHARS

needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js (node on PATH)"
)


@pytest.fixture
def runtime(tmp_path):
    runtime = FunctionRuntime(cache_dir=tmp_path / "cache")
    yield runtime
    runtime.close()


def package(folder: Path, source: str, name: str = "code") -> Path:
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("index.js", source)
    return path


def invocation(path: Path, **overrides) -> Invocation:
    fields = {
        "package": path,
        "package_key": path.stem,
        "event": {"a": 1},
        "request_id": "0a206a521561344642018387523432",
        "function_name": "hello",
        "space_id": "space-1",
        "timeout_s": 5,
        "memory_mb": 128,
        **overrides,
    }
    return Invocation(**fields)


async def run(runtime, tmp_path, source, **overrides):
    path = package(tmp_path, source, overrides.pop("name", "code"))
    with anyio.fail_after(15):
        return await runtime.invoke(invocation(path, **overrides))


@needs_node
@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("exports.main = (event) => ({ got: event.a + 1 });", {"got": 2}),
        ("exports.main = async (event) => [event, 'é'];", [{"a": 1}, "é"]),
        ("exports.main = async () => {};", None),
        ("exports.main = () => 'text';", "text"),
        ("exports.main = async () => { await null; return 0; };", 0),
    ],
)
async def test_main_sync_or_async_gives_the_json_result(
    runtime, tmp_path, source, result
):
    outcome = await run(runtime, tmp_path, source)
    assert outcome.failure is None
    assert outcome.status == "SUCCESS"
    assert json.loads(outcome.result) == result
    assert 0 < outcome.max_memory_mb <= 128
    assert outcome.billing_duration_ms >= 100


@needs_node
async def test_the_context_names_the_run(runtime, tmp_path):
    source = """exports.main = (event, context) => ({
        requestId: context.requestId, functionName: context.functionName,
        spaceId: context.spaceId, logger: typeof context.logger.info });"""
    outcome = await run(runtime, tmp_path, source)
    assert json.loads(outcome.result) == {
        "requestId": "0a206a521561344642018387523432",
        "functionName": "hello",
        "spaceId": "space-1",
        "logger": "function",
    }


@needs_node
async def test_console_lines_are_captured_with_their_levels(runtime, tmp_path):
    source = """exports.main = async (event, context) => {
        console.log("log %d", 1); console.info("info", {b: 2}); console.debug("dbg");
        console.warn("warn"); console.error(new Error("err").message);
        context.logger.info("via context");
        process.stdout.write("raw out\\n"); process.stderr.write("raw err\\n");
        return 1; };"""
    outcome = await run(runtime, tmp_path, source)
    lines = {(line.level, line.text) for line in outcome.lines}
    assert lines == {
        ("INFO", "log 1"),
        ("INFO", "info { b: 2 }"),
        ("DEBUG", "dbg"),
        ("WARN", "warn"),
        ("ERROR", "err"),
        ("INFO", "via context"),
        ("INFO", "raw out"),
        ("ERROR", "raw err"),
    }
    assert all(line.offset_ms >= 0 for line in outcome.lines)


@needs_node
async def test_long_lines_are_cut_and_a_runs_log_is_bounded(runtime, tmp_path):
    source = """exports.main = () => {
        for (let i = 0; i < 80; i++) console.log("x".repeat(20000));
        return 1; };"""
    outcome = await run(runtime, tmp_path, source)
    assert outcome.result == "1"
    *logged, last = outcome.lines
    assert {line.text for line in logged} == {"x" * MAX_LINE_CHARS + " [truncated]"}
    assert (last.level, last.text) == ("WARN", "[log truncated: too much output]")
    assert sum(len(line.text) for line in logged) > MAX_LOG_CHARS - MAX_LINE_CHARS


@needs_node
async def test_a_long_stdout_line_is_cut_too(runtime, tmp_path):
    source = """exports.main = () => {
        process.stdout.write("y".repeat(40000) + "\\n"); return 1; };"""
    outcome = await run(runtime, tmp_path, source)
    texts = [line.text.removesuffix(" [truncated]") for line in outcome.lines]
    assert set("".join(texts)) == {"y"}
    assert max(map(len, texts)) == MAX_LINE_CHARS


@needs_node
async def test_output_that_mimics_the_harness_protocol_is_only_output(
    runtime, tmp_path
):
    fake = json.dumps({"type": "result", "ok": True, "value": '"forged"'})
    source = f"""exports.main = () => {{
        process.stdout.write({json.dumps(fake + chr(10))});
        console.log({json.dumps(fake)}); return "real"; }};"""
    outcome = await run(runtime, tmp_path, source)
    assert json.loads(outcome.result) == "real"
    assert [line.text for line in outcome.lines] == [fake, fake]


@needs_node
@pytest.mark.parametrize(
    ("source", "kind", "message"),
    [
        ("exports.main = () => { throw new Error('boom'); };", "ERROR", "Error: boom"),
        ("exports.main = async () => { throw new TypeError('t'); };", "ERROR", "Type"),
        ("exports.main = () => Promise.reject(new Error('no'));", "ERROR", "Error: no"),
        ("exports.main = () => 1n;", "ERROR", "not JSON-serialisable"),
        ("exports.main = (;", "ERROR", "SyntaxError"),
        ("exports.other = 1;", "ERROR", "does not export a main function"),
        ("exports.main = () => process.exit(3);", "CRASH", "exited with code 3"),
        (
            "exports.main = () => { setTimeout(() => { throw new Error('late'); }); "
            "return new Promise(() => {}); };",
            "ERROR",
            "Error: late",
        ),
    ],
)
async def test_a_failing_function_fails_with_its_error(
    runtime, tmp_path, source, kind, message
):
    outcome = await run(runtime, tmp_path, source)
    assert (outcome.status, outcome.result) == ("FAIL", None)
    assert outcome.failure.kind is FailureKind[kind]
    assert message in outcome.failure.message


@needs_node
async def test_a_thrown_error_keeps_its_stack(runtime, tmp_path):
    source = "function inner() { throw new Error('deep'); }\n"
    source += "exports.main = () => inner();"
    outcome = await run(runtime, tmp_path, source)
    assert outcome.failure.stack.startswith("Error: deep\n    at inner (")


@needs_node
@pytest.mark.parametrize(
    "source",
    [
        "exports.main = () => new Promise(() => {});",
        "exports.main = () => { for (;;) {} };",
    ],
)
async def test_the_timeout_kills_a_function_that_never_ends(runtime, tmp_path, source):
    with anyio.fail_after(4):
        outcome = await run(runtime, tmp_path, source, timeout_s=1)
    assert outcome.failure.kind is FailureKind.TIMEOUT
    assert outcome.failure.message == "The function timed out after 1 s."
    assert outcome.duration_ms == 1000


@needs_node
async def test_a_module_that_never_loads_is_stopped_too(tmp_path):
    runtime = FunctionRuntime(cache_dir=tmp_path / "cache", startup_timeout_s=0.5)
    with anyio.fail_after(4):
        outcome = await run(runtime, tmp_path, "for (;;) {}")
    assert outcome.failure.kind is FailureKind.TIMEOUT
    assert "did not load within 0.5 s" in outcome.failure.message


@needs_node
@pytest.mark.parametrize(
    "source",
    [
        # JavaScript objects: V8's heap is capped at the function's Memory.
        "exports.main = () => { const a = [];"
        " for (;;) a.push(new Array(100000).fill(1.5)); };",
        # Buffers live outside the heap: the resident size is watched.
        "exports.main = async () => { const b = []; for (;;) {"
        " b.push(Buffer.alloc(8 * 1048576, 1));"
        " await new Promise((r) => setImmediate(r)); } };",
    ],
)
async def test_memory_beyond_the_limit_fails_the_run(runtime, tmp_path, source):
    outcome = await run(runtime, tmp_path, source, memory_mb=128)
    assert outcome.failure.kind is FailureKind.MEMORY


@needs_node
async def test_the_functions_environment_is_not_the_emulators(
    runtime, tmp_path, monkeypatch
):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "do-not-leak")
    source = "exports.main = () => process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;"
    outcome = await run(runtime, tmp_path, source)
    assert outcome.result == "null"


RENDEZVOUS = """const fs = require("fs");
exports.main = async ({ dir, me, other }) => {
  fs.writeFileSync(`${dir}/${me}`, "");
  while (!fs.existsSync(`${dir}/${other}`)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return me;
};"""


async def _meet(runtime, path, dir_, *, concurrency):
    async def one(me, other):
        event = {"dir": str(dir_), "me": me, "other": other}
        call = invocation(path, event=event, timeout_s=1, concurrency=concurrency)
        outcomes[me] = await runtime.invoke(call)

    outcomes: dict[str, Outcome] = {}
    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(one, "a", "b")
            group.start_soon(one, "b", "a")
    return outcomes


@needs_node
async def test_invocations_run_in_parallel_up_to_the_instance_concurrency(
    runtime, tmp_path
):
    path = package(tmp_path, RENDEZVOUS)
    (tmp_path / "together").mkdir()
    met = await _meet(runtime, path, tmp_path / "together", concurrency=2)
    assert {me: json.loads(o.result) for me, o in met.items()} == {"a": "a", "b": "b"}


@needs_node
async def test_a_concurrency_of_one_runs_invocations_one_after_the_other(
    runtime, tmp_path
):
    path = package(tmp_path, RENDEZVOUS)
    (tmp_path / "apart").mkdir()
    met = await _meet(runtime, path, tmp_path / "apart", concurrency=1)
    kinds = sorted(o.failure.kind.value if o.failure else "ok" for o in met.values())
    assert kinds == ["ok", "timeout"]  # the first waited in vain for the second


@needs_node
async def test_a_package_is_unpacked_once_per_deployment(runtime, tmp_path):
    path = package(tmp_path, "exports.main = () => require('fs').readdirSync('.');")
    first = await runtime.prepare(path, "dep-1")
    (first.parent / "marker").write_text("kept")
    outcome = await runtime.invoke(invocation(path, package_key="dep-1"))
    assert sorted(json.loads(outcome.result)) == ["index.js", "marker"]
    assert await runtime.prepare(path, "dep-1") == first
    assert await runtime.prepare(path, "dep-2") != first


async def test_forget_drops_one_deployments_or_a_whole_spaces_copies(runtime, tmp_path):
    path = package(tmp_path, "exports.main = () => 1;")
    keys = ["s1/dep-1", "s1/dep-10", "s1/dep-2", "s2/dep-3"]
    entries = {key: await runtime.prepare(path, key) for key in keys}
    runtime.forget("s1/dep-1")  # not s1/dep-10, though it starts the same
    gone = {key for key, entry in entries.items() if not entry.exists()}
    assert gone == {"s1/dep-1"}
    runtime.forget("s1/")
    gone = {key for key, entry in entries.items() if not entry.exists()}
    assert gone == {"s1/dep-1", "s1/dep-10", "s1/dep-2"}
    again = await runtime.prepare(path, "s1/dep-1")  # unpacked anew when needed
    assert again.exists()
    assert entries["s2/dep-3"].exists()


async def test_without_node_an_invocation_is_refused(tmp_path):
    runtime = FunctionRuntime(node=None, cache_dir=tmp_path / "cache")
    assert not runtime.available
    path = package(tmp_path, "exports.main = () => 1;")
    with pytest.raises(NodeUnavailableError, match="not installed"):
        await runtime.invoke(invocation(path))


async def test_a_node_that_cannot_start_is_unavailable(tmp_path):
    runtime = FunctionRuntime(node=str(tmp_path / "no-node"))
    path = package(tmp_path, "exports.main = () => 1;")
    with pytest.raises(NodeUnavailableError, match="could not be started"):
        await runtime.invoke(invocation(path))
    runtime.close()


async def test_a_missing_package_is_a_package_error(runtime, tmp_path):
    with pytest.raises(PackageError, match="missing"):
        await runtime.prepare(tmp_path / "gone.zip", "dep-1")


def test_the_private_cache_folder_goes_away_on_close(tmp_path):
    runtime = FunctionRuntime()
    path = package(tmp_path, "exports.main = () => 1;")
    entry = anyio.run(runtime.prepare, path, "dep-1")
    assert entry.is_file()
    runtime.close()
    assert not entry.exists()


def test_the_harness_ships_inside_the_package():
    harness = resources.files("aiompsls.emulator.runtime").joinpath("harness.js")
    assert "entry.main(input.event, context)" in harness.read_text()
