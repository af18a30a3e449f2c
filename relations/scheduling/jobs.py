"""The job APScheduler runs: referenced by name as ``relations.scheduling.jobs:run_schedule``.

The daemon sets the App it runs with (``use``) before starting the scheduler; the job
itself only turns its pickled keyword arguments back into a Schedule and calls the
service.
"""

from __future__ import annotations

from typing import Any

from relations.application import App

_app: App | None = None


def use(app: App | None) -> None:
    """Set (or clear) the App that jobs run against; called by the daemon."""
    global _app
    _app = app


def run_schedule(**options: Any) -> None:
    from relations.scheduling.jobstore import Schedule
    from relations.services.schedules import produce_due

    if _app is None:
        raise RuntimeError("run_schedule runs inside `relations serve` (jobs.use was not called)")
    produce_due(_app, Schedule(**options))
