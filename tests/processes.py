"""Real processes for the tests that break things for real: a private redis-server, an SMTP server of the test's
own, and a group of processes that is always killed when the test ends.

Every process is started in its own session (its own process group), so killing the group also kills what it
started (a prefork worker's pool); nothing a test started outlives it, even when it fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from .conftest import ROOT

SETPRIV = shutil.which("setpriv")  # util-linux


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=60, interval=0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


class Processes:
    """Processes a test starts, each in its own process group, all killed (TERM, then KILL) by stop_all()."""

    def __init__(self, logs: Path):
        self.logs, self.started = logs, []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}-{len(self.started)}.log", "w")
        # setpriv --pdeathsig: killed with the test run even when the run itself is killed (no teardown), so no orphan
        # is left to take the next run's tasks.
        prefix = [SETPRIV, "--pdeathsig", "KILL", "--"] if SETPRIV else []
        process = subprocess.Popen([*prefix, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        process.log_path = Path(log.name)
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            try:  # the group too: a pool process may outlive its parent
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if process.poll() is None:
                process.wait(timeout=10)

    def logs_text(self, tail: int = 3000) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text(errors='replace')[-tail:]}" for p in self.started)


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (a prefork worker's pool)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: stopped, it forgets everything."""

    def __init__(self, processes: Processes):
        self.processes, self.port, self.process = processes, free_port(), None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = self.processes.start(
            "redis", ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], dict(os.environ)
        )
        assert wait_for(self.ping, timeout=20, interval=0.1), self.process.log_path.read_text()

    def stop(self) -> None:
        self.processes.kill(self.process)
        assert wait_for(lambda: not self.ping(), timeout=10, interval=0.1)


class SmtpHandler:
    """What the test's SMTP server does: accept, refuse with 451 (try later), stall before taking the message, or hold
    the message of one address after receiving it (so a test can kill the client in the middle of a send)."""

    def __init__(self):
        self.mode = "accept"
        self.received: Counter = Counter()  # messages whose data the server received, per recipient
        self.attempts: Counter = Counter()
        self.hold_address, self.holding, self.released = None, False, False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.attempts[address] += 1
        if self.mode == "refuse":
            return "451 4.3.0 Hệ thống thư tạm thời không nhận, thử lại sau"
        if self.mode == "stall":
            await asyncio.sleep(30)  # longer than the client's timeout
            return "451 4.4.2 Quá thời gian"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.received[address] += 1
        if self.hold_address in envelope.rcpt_tos and not self.released:
            self.holding = True
            while not self.released:  # the data arrived; the client never hears that it did
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def python() -> str:
    return sys.executable
