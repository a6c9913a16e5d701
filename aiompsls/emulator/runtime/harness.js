// The aiompsls emulator's function harness: one invocation of exports.main(event, context).
//
// Usage: node --max-old-space-size=<MB> harness.js <protocol fd>, with the invocation as
// JSON on stdin: {entry, event, context: {requestId, functionName, spaceId}, memoryMb,
// maxLineChars, maxResultBytes}. Messages go to the protocol fd as JSON lines, never to
// stdout, so the function's own output cannot be mistaken for them:
//   {"type": "log", "level": "INFO", "text": "...", "t": <ms since main was called>}
//   {"type": "start"}                                   just before main is called
//   {"type": "result", "ok": true, "value": "<JSON text>", "durationMs", "maxRssKb"}
//   {"type": "result", "ok": false, "kind": "error" | "memory",
//    "error": {"name", "message", "stack"}, "durationMs", "maxRssKb"}
// The process exits right after the result; the caller enforces the timeout.
"use strict";

const fs = require("fs");
const util = require("util");
const { performance } = require("perf_hooks");

const protocolFd = Number(process.argv[2]);
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const LEVELS = { debug: "DEBUG", log: "INFO", info: "INFO", warn: "WARN", error: "ERROR" };
let startedAt = null;
let finished = false;

function send(message) {
  const data = Buffer.from(JSON.stringify(message) + "\n", "utf8");
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(protocolFd, data, offset, data.length - offset);
    } catch (err) {
      if (err.code !== "EAGAIN") throw err;
    }
  }
}

function elapsed() {
  return startedAt === null ? 0 : Math.round(performance.now() - startedAt);
}

function logger(level) {
  return (...args) => {
    let text = util.format(...args);
    if (text.length > input.maxLineChars) {
      text = text.slice(0, input.maxLineChars) + " [truncated]";
    }
    send({ type: "log", level, text, t: elapsed() });
  };
}

// Node.js before 15.6 has no memoryUsage.rss().
function rssBytes() {
  const usage = process.memoryUsage;
  return typeof usage.rss === "function" ? usage.rss() : usage().rss;
}

// The peak is sampled here, not read from resourceUsage().maxRSS: on Linux a process
// started by fork+exec inherits its parent's peak, so maxRSS would report the
// emulator's memory instead of the function's.
let peakRss = 0;

function sampleRss() {
  const rss = rssBytes();
  if (rss > peakRss) peakRss = rss;
  return rss;
}

function peakRssKb() {
  sampleRss();
  return Math.ceil(peakRss / 1024);
}

function finish(message) {
  if (finished) return;
  finished = true;
  send({ type: "result", ...message, durationMs: elapsed(), maxRssKb: peakRssKb() });
  process.exit(0);
}

function describe(err) {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: String(err.stack || "") };
  }
  return { name: "Error", message: util.inspect(err), stack: "" };
}

function fail(err, kind = "error") {
  finish({ ok: false, kind, error: describe(err) });
}

function succeed(value) {
  let text;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (err) {
    return fail(new TypeError(`The result is not JSON-serialisable: ${err.message}`));
  }
  if (text === undefined) text = "null";
  if (Buffer.byteLength(text, "utf8") > input.maxResultBytes) {
    return fail(new RangeError(`The result is larger than ${input.maxResultBytes} bytes.`));
  }
  return finish({ ok: true, value: text });
}

function watchMemory() {
  const limit = input.memoryMb * 1024 * 1024;
  const timer = setInterval(() => {
    const rss = sampleRss();
    if (rss > limit) {
      const mb = Math.ceil(rss / 1048576);
      fail(new RangeError(`Memory used (${mb} MB) exceeds ${input.memoryMb} MB.`), "memory");
    }
  }, 10);
  timer.unref();
}

const contextLogger = {};
for (const [method, level] of Object.entries(LEVELS)) {
  console[method] = logger(level);
  contextLogger[method] = console[method];
}
process.on("uncaughtException", (err) => fail(err));
process.on("unhandledRejection", (err) => fail(err));
watchMemory();

let entry;
try {
  entry = require(input.entry);
} catch (err) {
  fail(err);
}
if (!entry || typeof entry.main !== "function") {
  fail(new TypeError("The entry file does not export a main function (exports.main)."));
}
const context = { ...input.context, logger: contextLogger };
setInterval(() => {}, 1 << 30); // keep the loop alive while main's promise is pending
send({ type: "start" });
startedAt = performance.now();
new Promise((resolve) => resolve(entry.main(input.event, context))).then(succeed, (err) =>
  fail(err),
);
