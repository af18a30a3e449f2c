"""Only one `relations serve` per database.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the
daemon's lifetime. SQLite: an OS file lock on ``<database>.serve.lock`` (flock on
POSIX, ``filelock`` elsewhere). Both are released by the operating system or the server
the moment the holding process dies, even by kill -9, so a standby takes over at once.

A clean stop removes the lock file. It is removed while still locked, and a daemon that
locks the file checks that it is still the one at that path (not one a stopping daemon
just removed), so two daemons can never both believe they lead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

from relations.application import App

_KEY = int.from_bytes(hashlib.sha1(b"relations serve").digest()[:8], "big", signed=True)


class Leadership:
    def __init__(self, app: App) -> None:
        self.app = app
        self._held: Any = None

    def try_acquire(self) -> bool:
        if self._held is not None:
            return True
        if self.app.url.startswith("sqlite"):
            lock = LockFile(self._lock_path())
            if not lock.acquire():
                return False
            self._held = lock
            return True
        from sqlalchemy import text

        connection = self.app.store.engine.connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _KEY}).scalar()
        connection.commit()
        if not got:
            connection.close()
            return False
        self._held = connection
        return True

    def still_held(self) -> bool:
        """False if the lock was lost: on PostgreSQL, the connection holding it died
        (server restart, pg_terminate_backend, network) and another daemon may lead."""
        if self._held is None:
            return False
        if self.app.url.startswith("sqlite"):
            return bool(self._held.held)
        from sqlalchemy import text

        # A session-level lock lives as long as its session: if the connection still
        # answers, the lock is still ours.
        try:
            self._held.execute(text("SELECT 1"))
            self._held.commit()
        except Exception:
            return False
        return True

    def release(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        if self.app.url.startswith("sqlite"):
            held.release()
            return
        from sqlalchemy import text

        try:
            held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _KEY})
            held.commit()
            held.close()
        except Exception:  # the connection is gone, and the lock with it
            held.invalidate()

    def _lock_path(self) -> Path:
        from sqlalchemy.engine import make_url

        database = Path(str(make_url(self.app.url).database)).resolve()
        return database.with_name(database.name + ".serve.lock")


class LockFile:
    """An exclusive, non-blocking lock on a file that is removed on release."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._other: Any = None  # filelock's, where there is no flock (Windows)

    @property
    def held(self) -> bool:
        return self._fd is not None or (self._other is not None and self._other.is_locked)

    def acquire(self) -> bool:
        if os.name != "posix":  # filelock's Windows lock removes its file on release
            from filelock import FileLock, Timeout

            # Not thread-local (filelock's default): the daemon checks the lock from its
            # scheduler's threads, which would otherwise see it as not held.
            lock = FileLock(str(self.path), thread_local=False)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                return False
            self._other = lock
            return True
        import fcntl

        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            try:
                current = self.path.stat().st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._fd = fd
                return True
            os.close(fd)  # a stopping daemon removed this file: lock the new one
        return False

    def release(self) -> None:
        if self._other is not None:
            self._other.release()
            self._other = None
            return
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # while still locked: see the module's docstring
        os.close(fd)
