"""The one-daemon lock is held for the whole process, whichever thread asks."""

from __future__ import annotations

import threading

from relations.application import App
from relations.scheduling.leader import Leadership


def test_the_lock_is_still_held_when_another_thread_checks(app: App) -> None:
    leadership = Leadership(app)
    assert leadership.try_acquire()
    seen: list[bool] = []
    checker = threading.Thread(target=lambda: seen.append(leadership.still_held()))
    checker.start()
    checker.join()
    try:
        assert seen == [True], "the scheduler's threads must see the lock as held"
        assert not Leadership(app).try_acquire(), "a second daemon must stand by"
    finally:
        leadership.release()
