"""A real PostgreSQL server for the tests: initdb into a temporary directory, postgres on a free
loopback port with its Unix socket in that directory, stopped at the end of the session.

PostgreSQL refuses to run as root, so when the tests run as root the data directory is given to
an unprivileged user (nobody) and the server is started as that user. The superuser has a
password (password authentication on TCP), so the wrong-password path is tested for real.
Without the binaries (Debian's `postgresql` package; .ci/run installs it) the tests that need
the server skip with a listed reason, and fail under CI=true.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

POSTGRES_ABSENT = "PostgreSQL absent"  # the start of the skip reason, as listed in tests/allowed_skips.txt
SEARCH_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)  # Debian: newest first
SUPERUSER = "govaudit"
PASSWORD = "test-only-password"
START_SECONDS = 60


def binaries() -> Path | None:
    """The directory of initdb and postgres: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    return next((d for d in SEARCH_DIRS if (d / "initdb").is_file() and (d / "postgres").is_file()), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    root: Path
    port: int
    process: subprocess.Popen | None = None

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_user() -> dict:
    """Popen arguments that run the server unprivileged when we are root."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("nobody")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def start(bin_dir: Path) -> PostgresServer:
    root = Path(tempfile.mkdtemp(prefix="govaudit-pg-"))
    account = _as_user()
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    (root / "pwfile").write_text(PASSWORD + "\n", encoding="utf-8")
    if account:
        for path in (root, sockets, root / "pwfile"):
            os.chown(path, account["user"], account["group"])
    subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={root / 'pwfile'}",
                    "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, capture_output=True, cwd=root, **account)
    server = PostgresServer(bin_dir, root, free_port())
    log = open(root / "postgres.log", "wb")
    server.process = subprocess.Popen(
        [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(server.port),
         "-k", str(sockets), "-c", "fsync=off", "-c", "max_connections=60"],
        stdout=log, stderr=subprocess.STDOUT, cwd=root, **account)
    log.close()
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"postgres exited at start: {(root / 'postgres.log').read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                pass
            import psycopg

            psycopg.connect(server.url(), connect_timeout=2).close()
            return server
        except Exception:  # not accepting yet (starting up, or "the database system is starting up")
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"postgres did not accept connections within {START_SECONDS}s")


def stop(server: PostgresServer) -> None:
    """Fast shutdown (SIGINT: disconnect clients, then exit), then remove the directory."""
    import signal

    if server.process is not None and server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    shutil.rmtree(server.root, ignore_errors=True)
