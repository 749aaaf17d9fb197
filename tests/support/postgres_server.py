"""A throwaway PostgreSQL server on loopback for tests: initdb into a temp dir, start, stop.

The server listens on 127.0.0.1 only, on a free port, with its Unix socket in its own temp dir,
trust auth and durability turned off for speed. PostgreSQL refuses to run as root, so when the
tests run as root the cluster is owned and run by an unprivileged system user (``postgres`` if it
exists, else ``nobody``) through ``runuser`` (or ``setpriv``, or ``su``).

A server outlives a test run that dies without cleaning up (pg_ctl detaches it), so each server has
an ``atexit`` stop and a small watchdog process that stops it and deletes its files as soon as the
process that started it is gone, however it went (SIGKILL included).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "opsbot"
START_TIMEOUT_SECONDS = 60
_START_ATTEMPTS = 3  # the free port can be taken between picking it and the server binding it
_UNPRIVILEGED_USERS = ("postgres", "nobody")

# Runs in its own session; reads stdin until EOF (the starting process stopped the server or
# died), then makes sure the server is down and its files gone.
# argv: the root dir, then the pg_ctl stop command.
_WATCHDOG = """
import os, shutil, subprocess, sys
sys.stdin.buffer.read()
root, stop = sys.argv[1], sys.argv[2:]
if os.path.exists(os.path.join(root, "data", "postmaster.pid")):
    subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd="/")
shutil.rmtree(root, ignore_errors=True)
"""


def _has_tools(directory: Path) -> bool:
    return all(
        (directory / tool).is_file() and os.access(directory / tool, os.X_OK)
        for tool in ("initdb", "pg_ctl", "postgres")
    )


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl, or None when PostgreSQL is not installed.

    initdb on PATH wins (symlinks resolved, so /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin
    gives the latter); otherwise the newest /usr/lib/postgresql/*/bin.
    """
    on_path = shutil.which("initdb")
    if on_path:
        directory = Path(on_path).resolve().parent
        if _has_tools(directory):
            return directory
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    return next((directory for directory in installed if _has_tools(directory)), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs the server: None (this process's user) unless running as root."""
    if os.geteuid() != 0:
        return None
    for name in _UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError(
        f"running as root, and none of the users {', '.join(_UNPRIVILEGED_USERS)} exists "
        "to run PostgreSQL (it refuses to run as root)"
    )


def _world_traversable(directory: Path) -> bool:
    """Whether any user can reach entries of ``directory`` (every ancestor is o+x)."""
    for path in (directory, *directory.parents):
        try:
            if not path.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _log_tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class PostgresServer:
    """One PostgreSQL cluster in a temp dir, listening on 127.0.0.1 only."""

    def __init__(self, bin_dir: Path | None = None):
        found = Path(bin_dir) if bin_dir is not None else find_postgres_bin()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (initdb/pg_ctl not found)")
        if not _has_tools(found):
            raise RuntimeError(f"{found} does not hold PostgreSQL's initdb, pg_ctl and postgres")
        self.bin_dir = found
        self._account = _unprivileged_user()
        self.user = self._account.pw_name if self._account else None
        self._port: int | None = None
        self._root: Path | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()

    # -- where things are

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def root(self) -> Path:
        if self._root is None:
            raise RuntimeError("the server is not started")
        return self._root

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    # -- running commands as the server's user

    def _command(self, *args: str) -> list[str]:
        """``args`` run as the unprivileged user when this process is root."""
        account = self._account
        if account is None:
            return list(args)
        if shutil.which("runuser"):
            return ["runuser", "-u", account.pw_name, "--", *args]
        if shutil.which("setpriv"):
            return [
                "setpriv",
                f"--reuid={account.pw_uid}",
                f"--regid={account.pw_gid}",
                "--init-groups",
                "--",
                *args,
            ]
        return ["su", "-s", "/bin/sh", account.pw_name, "-c", shlex.join(args)]

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._command(*args),
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
        )

    def _pg_ctl_stop(self) -> tuple[str, ...]:
        return (
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-m",
            "immediate",
            "-w",
            "-t",
            "30",
            "stop",
        )

    # -- lifecycle

    def _make_root(self) -> Path:
        if self._account is None:
            return Path(tempfile.mkdtemp(prefix="opsbot-pg-"))
        # The server's user must be able to reach the dir: fall back to /tmp when TMPDIR is private.
        base = Path(tempfile.gettempdir())
        if not _world_traversable(base):
            base = Path("/tmp")
        root = Path(tempfile.mkdtemp(prefix="opsbot-pg-", dir=base))
        os.chown(root, self._account.pw_uid, self._account.pw_gid)
        return root

    def start(self) -> None:
        """initdb a fresh cluster in a temp dir and start it; RuntimeError (with the log) if not."""
        if self._root is not None:
            raise RuntimeError("the server is already started")
        self._root = self._make_root()
        try:
            self._initdb()
            self._start_watchdog()
            atexit.register(self._stop_at_exit)
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def _initdb(self) -> None:
        result = self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"initdb failed (exit {result.returncode}, as user {self.user or os.getuid()}):\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def _start_server(self) -> None:
        for attempt in range(1, _START_ATTEMPTS + 1):
            self._port = _free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-c port={self._port}",
                    f"-c unix_socket_directories={shlex.quote(str(self.root))}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                ]
            )
            result = self._run(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
                "-o",
                options,
                "start",
            )
            if result.returncode == 0:
                return
            tail = _log_tail(self.log_path)
            # pg_ctl -w can give up while the postmaster is still coming up: make sure it is down.
            self._run(*self._pg_ctl_stop())
            if attempt < _START_ATTEMPTS and "could not bind" in tail:
                self.log_path.unlink(missing_ok=True)
                continue
            self._port = None
            raise RuntimeError(
                f"PostgreSQL did not start (pg_ctl exit {result.returncode}): "
                f"{(result.stdout + result.stderr).strip()}\n"
                f"--- tail of {self.log_path} ---\n{tail}"
            )

    def _start_watchdog(self) -> None:
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(self.root), *self._command(*self._pg_ctl_stop())],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd="/",
        )

    def stop(self) -> None:
        """Stop the server (immediate mode) and delete its files; safe to call twice."""
        root = self._root
        if root is None:
            return
        atexit.unregister(self._stop_at_exit)
        if (root / "data" / "postmaster.pid").exists():
            result = self._run(*self._pg_ctl_stop())
            if result.returncode != 0:
                self._kill_postmaster(root)
        shutil.rmtree(root, ignore_errors=True)
        self._root = None
        self._port = None
        self._stop_watchdog()

    def _kill_postmaster(self, root: Path) -> None:
        """Last resort when pg_ctl stop fails: SIGKILL the postmaster named in postmaster.pid."""
        try:
            pid = int((root / "data" / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)

    def _stop_watchdog(self) -> None:
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is None:
            return
        with contextlib.suppress(OSError):
            watchdog.stdin.close()  # type: ignore[union-attr]
        try:
            watchdog.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait()

    def _stop_at_exit(self) -> None:
        if os.getpid() == self._owner_pid:  # not in a forked child that inherited the handler
            self.stop()

    # -- databases

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
