"""The JavaScript client libraries in `tests/node/` (amazon-cognito-identity-js, Amplify, aws-jwt-verify):
install them once, then run a script with JSON in and JSON out.

`node_clients()` checks for `node` (18 or later: global fetch) and `npm` (`require`: a skip locally, a failure
under COGNATE_REQUIRE_ALL=1), installs `tests/node/package-lock.json` into `tests/node/node_modules` with
`npm ci --ignore-scripts` (`npm install` when there is no lock), and returns a `NodeClients`. The install
happens at most once per test session, and not at all while `node_modules` matches the package files and the
node version (a stamp records them), so only the first run ever needs the npm registry; no install script
runs, so nothing else is downloaded. Concurrent sessions on one checkout take turns through a lock file.

`NodeClients.run(script, payload)` feeds `payload` as JSON to `node tests/node/<script>` on stdin, bounded
by a timeout, and returns the script's `result` (see `tests/node/harness.mjs`); anything else (an exit
status, a timeout, output that is not JSON) raises `NodeError` with node's stderr and the HTTP calls the
script made."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .require import require

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
MIN_NODE_MAJOR = 18
INSTALL_TIMEOUT = 600.0
RUN_TIMEOUT = 60.0
STAMP_NAME = ".cognate-install-stamp"
_STDERR_TAIL = 4000


class NodeError(AssertionError):
    """A script did not produce a result: it failed, timed out, or printed something that is not JSON."""


@dataclass(frozen=True)
class NodeRun:
    """What one script run produced: its `result`, the HTTP `calls` it made, and its stderr."""

    result: Any
    calls: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""

    def operations(self) -> list[str | None]:
        """The X-Amz-Target operations of the calls, in order (None for a request without one)."""
        return [call.get("operation") for call in self.calls]

    def describe(self) -> str:
        """The calls, one line each, for assertion messages."""
        lines = []
        for call in self.calls:
            line = f"{call.get('method')} {call.get('url')} {call.get('operation')} -> {call.get('status')}"
            if call.get("errorType") or call.get("body"):
                line += f" {call.get('errorType')} {call.get('body')}"
            if call.get("error"):
                line += f" (fetch error: {call['error']})"
            lines.append(line)
        return "\n".join(lines) or "(no HTTP calls)"


class NodeClients:
    """`node` scripts in `directory`, with their dependencies installed."""

    def __init__(self, node: str, directory: Path = NODE_DIR) -> None:
        self.node = node
        self.directory = directory

    def run(self, script: str, payload: Mapping[str, Any], timeout: float = RUN_TIMEOUT) -> NodeRun:
        """Run `script` with `payload` on stdin; its `result`, or NodeError with the reason and node's stderr.

        The script's own watchdog stops it a little before `timeout`, so that its report still comes out."""
        path = self.directory / script
        document = {"timeoutMs": int(max(timeout - 5.0, timeout * 0.8) * 1000), **payload}
        try:
            proc = subprocess.run(
                [self.node, str(path)],
                input=json.dumps(document).encode(),
                capture_output=True,
                cwd=self.directory,
                env=_node_env(),
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise NodeError(f"node {script}: killed after {timeout}s\n{_stderr_section(exc.stderr)}") from None
        stderr = proc.stderr.decode("utf-8", "replace")
        stdout = proc.stdout.decode("utf-8", "replace").strip()
        try:
            output = json.loads(stdout.splitlines()[-1]) if stdout else None
        except ValueError:
            output = None
        if not isinstance(output, dict):
            raise NodeError(f"node {script}: exit status {proc.returncode}, stdout is not one JSON object: "
                            f"{stdout[-2000:]!r}\n{_stderr_section(stderr)}")
        run = NodeRun(output.get("result"), list(output.get("calls") or []), stderr)
        if proc.returncode != 0 or "fatal" in output:
            raise NodeError(f"node {script}: exit status {proc.returncode}, {output.get('fatal')!r}\n"
                            f"HTTP calls:\n{run.describe()}\n{_stderr_section(stderr)}")
        return run

    def versions(self, *packages: str) -> dict[str, str]:
        """The installed version of each package (from its package.json in node_modules)."""
        found = {}
        for name in packages:
            manifest = self.directory / "node_modules" / name / "package.json"
            found[name] = json.loads(manifest.read_text())["version"]
        return found


_lock = threading.Lock()
_outcome: tuple[NodeClients | None, str] | None = None


def node_clients() -> NodeClients:
    """The installed clients: installing them on the first call of the session; `require` fails or skips
    (with the reason) when node or npm is missing or the install fails, on this and every later call."""
    global _outcome
    with _lock:
        if _outcome is None:
            _outcome = _prepare(NODE_DIR)
    clients, reason = _outcome
    require(clients is not None, reason)
    assert clients is not None
    return clients


def _prepare(directory: Path) -> tuple[NodeClients | None, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        return None, f"{missing} not found on PATH (Debian: apt-get install nodejs npm)"
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30,
                                 check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"`node --version` failed: {exc}"
    major = re.match(r"v(\d+)\.", version)
    if major is None or int(major.group(1)) < MIN_NODE_MAJOR:
        return None, f"node {version} is too old: the JS client tests need Node {MIN_NODE_MAJOR} or later"
    try:
        _install(npm, directory, version)
    except NodeError as exc:
        return None, str(exc)
    return NodeClients(node, directory), ""


def _install(npm: str, directory: Path, node_version: str) -> None:
    lock_file = directory / "package-lock.json"
    stamp = _stamp(directory, node_version)
    stamp_file = directory / "node_modules" / STAMP_NAME
    with _install_lock(directory):
        if stamp_file.is_file() and stamp_file.read_text() == stamp:
            return
        command = [npm, "ci" if lock_file.is_file() else "install", "--ignore-scripts", "--no-audit", "--no-fund",
                   "--prefer-offline", "--loglevel=error"]
        try:
            proc = subprocess.run(command, cwd=directory, env=_node_env(), capture_output=True, text=True,
                                  timeout=INSTALL_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise NodeError(f"`{' '.join(command[1:])}` in {directory} did not finish in {INSTALL_TIMEOUT}s "
                            "(is the npm registry reachable?)") from None
        if proc.returncode != 0:
            raise NodeError(f"`{' '.join(command[1:])}` in {directory} failed with status {proc.returncode} "
                            f"(is the npm registry reachable?)\n{_stderr_section(proc.stderr + proc.stdout)}")
        stamp_file.write_text(stamp)


def _stamp(directory: Path, node_version: str) -> str:
    """What node_modules was installed from: the package files and the node version."""
    digest = hashlib.sha256(node_version.encode())
    for name in ("package.json", "package-lock.json"):
        path = directory / name
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def _install_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock per checkout, outside it (npm ci deletes node_modules), held while installing."""
    key = hashlib.sha256(str(directory).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"cognate-npm-{key}.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _node_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_UPDATE_NOTIFIER": "1", "npm_config_update_notifier": "false", "NODE_NO_WARNINGS": "1"})
    return env


def _stderr_section(stderr: str | bytes | None) -> str:
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    text = (stderr or "").strip()
    if len(text) > _STDERR_TAIL:
        text = "...\n" + text[-_STDERR_TAIL:]
    return f"--- node stderr ---\n{text or '(empty)'}"
