"""The real ``opsbot serve`` in a subprocess on a free loopback port, ready once ``/healthz`` answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.fakes.anthropic_server import VALID_KEY, FakeAnthropic
from tests.fakes.slack_api import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.support.cli import opsbot_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slack_http_env(database_url: str, slack: FakeSlack, api: FakeAnthropic, **extra: str) -> dict:
    """The settings of ``opsbot serve`` answering Slack over HTTP: the store at ``database_url``, the fake
    Slack Web API and the fake Messages API; ``extra`` adds or overrides settings."""
    return {
        "DATABASE_URL": database_url,
        "ANTHROPIC_API_KEY": VALID_KEY,
        "ANTHROPIC_BASE_URL": api.url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        **extra,
    }


class ServeProcess:
    """``with ServeProcess(env, cwd) as server: … server.url …``; its stderr is kept in ``log_path``."""

    def __init__(self, env: dict, cwd: Path, args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"serve-{self.port}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *args,
            ],
            cwd=cwd,
            env=opsbot_env(env),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )

    def __enter__(self) -> ServeProcess:
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"opsbot serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"opsbot serve did not come up:\n{self.log()}")
            time.sleep(0.1)

    def __exit__(self, *_exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()
