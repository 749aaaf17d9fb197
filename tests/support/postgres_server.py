"""A throwaway PostgreSQL server on loopback for tests: initdb into a temp dir, start, create databases, stop.

PostgreSQL refuses to run as root, so when the tests run as root the cluster is owned and run by an
unprivileged system user (``postgres`` if it exists, else ``nobody``).
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

SUPERUSER = "opsbot"


def find_postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=str(Path(found).parent)):
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    return candidates[0].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL")


class PostgresServer:
    """One PostgreSQL cluster in a temp dir, listening on 127.0.0.1 only."""

    def __init__(self, bin_dir: Path | None = None):
        found = bin_dir or find_postgres_bin()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (initdb/pg_ctl not found)")
        self.bin_dir = found
        self.user = _run_as()
        self._port: int | None = None
        self._root: Path | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    def _command(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return [*prefix, *args]

    def start(self) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="opsbot-pg-"))
        data, log = self._root / "data", self._root / "server.log"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self._root, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            self._command(
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        self._port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self._port} -c unix_socket_directories={self._root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        result = subprocess.run(
            self._command(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr.strip()}\n{tail}")
        atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the server and delete its files; safe to call twice."""
        if self._root is None:
            return
        data = self._root / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                self._command(str(self.bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"),
                capture_output=True,
                check=False,
            )
        shutil.rmtree(self._root, ignore_errors=True)
        self._root = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
