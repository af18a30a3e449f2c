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

            lock = FileLock(str(self._lock_path()))
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

    def release(self) -> None:
        held, self._held = self._held, None
        if held is None:
            return
        if self.app.url.startswith("sqlite"):
            held.release()
            return
        from sqlalchemy import text

        held.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _KEY})
        held.commit()
        held.close()

    def _lock_path(self) -> Path:
        database = Path(self.app.url.removeprefix("sqlite:///"))
        return database.with_name(database.name + ".serve.lock")
