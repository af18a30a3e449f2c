"""Only one `relations serve` per database.

PostgreSQL: a session-level advisory lock held on a dedicated connection for the
daemon's lifetime. SQLite: an OS file lock on ``<database>.serve.lock`` (through
``filelock``). Both are released by the operating system or the server the moment the
holding process dies, even by kill -9, so a standby takes over at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from relations.bootstrap import App

_KEY = int.from_bytes(hashlib.sha1(b"relations serve").digest()[:8], "big", signed=True)


class Leadership:
    def __init__(self, app: App) -> None:
        self.app = app
        self._held: Any = None

    def try_acquire(self) -> bool:
        if self._held is not None:
            return True
        if self.app.url.startswith("sqlite"):
            from filelock import FileLock, Timeout

            # Not thread-local (filelock's default): the daemon checks the lock from its
            # scheduler's threads, which would otherwise see it as not held.
            lock = FileLock(str(self._lock_path()), thread_local=False)
            try:
                lock.acquire(timeout=0)
            except Timeout:
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
            return bool(self._held.is_locked)
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
