// Shared by every script under tests/node (driven by tests/support/node.py):
//
// - the input is one JSON document on stdin; the output is one JSON document on stdout,
//   `{"result": ..., "calls": [...]}`; everything else (library logs) goes to stderr;
// - `calls` records every HTTP request the libraries made (X-Amz-Target, status, AWS error type and
//   message), so a failing test shows what the client sent and what the server answered;
// - a watchdog ends the process if the script runs longer than `input.timeoutMs` (default 30 s);
// - Node 18 (Debian 12's nodejs) has fetch but no global WebCrypto; Amplify (`getCrypto`) and
//   amazon-cognito-identity-js look for `globalThis.crypto`, so it is set from node:crypto when
//   missing (a no-op on Node 20 and later).
//
// Import this module first: ES modules are evaluated in import order, so the console and fetch are
// wrapped before any client library is loaded.

import { webcrypto } from "node:crypto";

if (!globalThis.crypto) globalThis.crypto = webcrypto;

for (const level of ["log", "info", "debug", "warn", "trace"]) {
  console[level] = (...args) => console.error(...args);
}

export const calls = [];

const realFetch = globalThis.fetch;

globalThis.fetch = async function recordingFetch(input, init = {}) {
  const request = input instanceof Request ? input : null;
  const headers = new Headers(init.headers ?? request?.headers ?? {});
  const target = headers.get("x-amz-target");
  const call = {
    method: init.method ?? request?.method ?? "GET",
    url: request ? request.url : String(input),
    operation: target ? target.split(".").pop() : null,
  };
  calls.push(call);
  try {
    const response = await realFetch(input, init);
    call.status = response.status;
    if (response.status >= 400) {
      call.errorType = response.headers.get("x-amzn-errortype");
      call.body = (await response.clone().text()).slice(0, 500);
    }
    return response;
  } catch (err) {
    call.error = String(err?.cause ?? err);
    throw err;
  }
};

/** The parts of an error worth reporting: AWS error name/code, class, message, and what it wraps. */
export function errorInfo(err) {
  if (err === null || err === undefined) return null;
  if (typeof err !== "object") return { message: String(err) };
  const info = {
    name: err.name ?? null, // the AWS error name for Amplify's AuthError and the identity-js errors
    class: err.constructor?.name ?? null, // aws-jwt-verify's errors say what failed only by their class
    code: err.code ?? null,
    message: err.message ?? String(err),
  };
  if (err.underlyingError) info.underlying = errorInfo(err.underlyingError);
  if (err.recoverySuggestion) info.recoverySuggestion = err.recoverySuggestion;
  return info;
}

/** The payload of a JWT (no verification: the tests compare claims, aws-jwt-verify verifies). */
export function jwtPayload(jwt) {
  const [, payload] = String(jwt).split(".");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  return text ? JSON.parse(text) : {};
}

function emit(document, code) {
  process.stdout.write(JSON.stringify(document) + "\n", () => process.exit(code));
}

/** Run `handler(input)` and print its result; an exception prints `{"fatal": ...}` and exits 1. */
export async function main(handler) {
  let input;
  try {
    input = await readStdin();
  } catch (err) {
    console.error(err);
    emit({ fatal: { name: "InputError", message: `stdin is not JSON: ${err.message}` }, calls }, 2);
    return;
  }
  const timeoutMs = input.timeoutMs ?? 30000;
  const watchdog = setTimeout(() => {
    console.error(`watchdog: still running after ${timeoutMs} ms`);
    emit({ fatal: { name: "Timeout", message: `script still running after ${timeoutMs} ms` }, calls }, 124);
  }, timeoutMs);
  watchdog.unref();
  try {
    const result = await handler(input);
    emit({ result, calls }, 0);
  } catch (err) {
    console.error(err?.stack ?? err);
    emit({ fatal: errorInfo(err), calls }, 1);
  }
}
