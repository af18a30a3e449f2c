"""One concurrent writer for tests/test_concurrent_writers.py, run as its own OS process:

    python tests/concurrent_writer.py writers URL WORKER COUNT SEED RESULTS
    python tests/concurrent_writer.py race URL WORKER ROUNDS VIA RESULTS

It opens the database, prints ``ready`` on stdout and blocks on a line of stdin: the
test releases every worker at once by writing to their stdins (the barrier). Each
outcome is appended to RESULTS as one JSON line, flushed at once, so what a writer
was told survives even if it dies afterwards:

- ``{"ok": true, ...}``: the write was acknowledged (the event id it was given);
- ``{"ok": false, "raw": false, ...}``: a RelationsError (class, exit code, message);
- ``{"ok": false, "raw": true, ...}``: anything else, e.g. a DBAPI error from the driver.

``writers``: COUNT records, even ones to the shared pair MEX-PER (the contended one),
odd ones to the worker's own pair, with event types that are valid from every status
(so no interleaving can make one invalid) and dates a few days either side of the
other writers' (so many land before the pair's latest event and make the store refold
it, and many share a date). A record that fails with a clear RelationsError other than
InvalidInput or Refused (the store's "busy, try again") is retried with the same
external id, as a client would, at most RETRIES times.

``race``: ROUNDS rounds; in round k both workers try ``relations_severed`` on the
fresh, normal pair of FRA and RACE_TARGETS[k], through the service layer (VIA=service) or
through the click CLI in this process (VIA=cli: the real command and its error
translation, without paying the interpreter start inside the race). Worker 0 is the
actor FRA, worker 1 the other country. Each waits at the barrier before every round.

For the report's demonstration only, ``RELATIONS_TEST_BREAK`` (unset in the test
suite) disables a guard in this process: ``lock_pair`` makes
``StoreTransaction.lock_pair`` a no-op (PostgreSQL's per-pair lock), ``begin_immediate``
makes write transactions open with a deferred BEGIN on SQLite, ``retry`` stops the
store from retrying contention (every DBAPI error is then raised as it is); several may
be given, comma-separated.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SHARED = ("MEX", "PER")
OWN_ACTORS = ("ARG", "BOL", "BRA", "CHL", "COL", "ECU", "PRY", "URY", "VEN", "CRI", "PAN", "GTM")
OWN_TARGET = "CAN"
RACE_ACTOR = "FRA"
RACE_TARGETS = (
    "DEU", "ITA", "ESP", "PRT", "BEL", "NLD", "AUT", "CHE", "POL", "SWE", "NOR", "DNK",
    "FIN", "IRL", "GRC", "HUN", "CZE", "SVK", "SVN", "HRV", "ROU", "BGR", "EST", "LVA",
)  # fmt: skip
# Valid from every status: effect none, or escalate (normal/strained -> strained,
# severed -> severed). asylum_granted makes the shared pair strained from its earliest date.
ALWAYS_VALID = ("statement", "protest_note", "envoy_summoned", "asylum_granted")
BASE_DATE = date(2001, 1, 1)
DATE_JITTER = 10  # days
RETRIES = 5


def main(argv: list[str]) -> int:
    mode, url, worker = argv[0], argv[1], int(argv[2])
    _break_guards(os.environ.get("RELATIONS_TEST_BREAK", ""))
    from relations.bootstrap import bootstrap

    app = bootstrap(url)
    with app.store.reading() as tx:  # migrate-check and connect before the barrier
        tx.counts()
    try:
        if mode == "writers":
            count, seed, results = int(argv[3]), int(argv[4]), Path(argv[5])
            with results.open("a", encoding="utf-8") as out:
                _writers(app, worker, count, seed, out)
        elif mode == "race":
            rounds, via, results = int(argv[3]), argv[4], Path(argv[5])
            with results.open("a", encoding="utf-8") as out:
                _race(app, worker, rounds, via, out)
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    finally:
        app.close()
    return 0


def _break_guards(which: str) -> None:
    names = {name.strip() for name in which.split(",") if name.strip()}
    if "lock_pair" in names:
        from relations.store.transaction import StoreTransaction

        StoreTransaction.lock_pair = lambda self, pair: None  # type: ignore[method-assign]
    if "begin_immediate" in names:
        import relations.store.sql_store

        # writing() passes this execution option; the engine opens BEGIN IMMEDIATE only
        # when it sees relations.store.engine.WRITE set, so writes now BEGIN deferred.
        setattr(relations.store.sql_store, "WRITE", "relations_test_not_a_write")  # noqa: B010
    if "retry" in names:
        import relations.store.sql_store

        setattr(relations.store.sql_store, "contention", lambda exc: False)  # noqa: B010
    if names - {"lock_pair", "begin_immediate", "retry"}:
        raise SystemExit(f"unknown RELATIONS_TEST_BREAK {which!r}")


def _barrier() -> None:
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("the test ended the barrier without releasing this worker")


def _emit(out: Any, outcome: dict[str, Any]) -> None:
    out.write(json.dumps(outcome, sort_keys=True) + "\n")
    out.flush()


def _failure(exc: Exception) -> dict[str, Any]:
    from relations.domain.errors import RelationsError

    kind = type(exc)
    return {
        "ok": False,
        "raw": not isinstance(exc, RelationsError),
        "error": f"{kind.__module__}.{kind.__qualname__}",
        "exit_code": getattr(exc, "exit_code", None),
        "message": str(exc)[:2000],
        "traceback": None
        if isinstance(exc, RelationsError)
        else "".join(traceback.format_exception(exc)),
    }


def _writers(app: Any, worker: int, count: int, seed: int, out: Any) -> None:
    from relations.domain.errors import InvalidInput, Refused, RelationsError
    from relations.services.recording import record

    rng = random.Random(seed * 1_000 + worker)
    own = (OWN_ACTORS[worker], OWN_TARGET)
    _barrier()
    for i in range(count):
        side = SHARED if i % 2 == 0 else own
        actor, target = side if rng.random() < 0.5 else side[::-1]
        event_type = rng.choice(ALWAYS_VALID)
        # Writers move forward in step, each a little behind or ahead of the others:
        # most events land among the pair's latest ones, many just before some of them.
        on = BASE_DATE + timedelta(days=i // 2 + rng.randrange(DATE_JITTER))
        external_id = f"cw-{worker}-{i}"
        what = {"worker": worker, "i": i, "external_id": external_id, "shared": side == SHARED}
        for attempt in range(1, RETRIES + 1):
            started = time.monotonic()
            try:
                [done] = record(app, event_type, actor, [target], on, external_id=external_id)
            except Exception as exc:
                failed = {**what, **_failure(exc), "attempt": attempt}
                _emit(out, failed)
                # A clear error other than bad input or a rule's refusal (say, "the
                # database is busy, try again"): retry, as a client would.
                retryable = isinstance(exc, RelationsError) and type(exc) not in (
                    InvalidInput,
                    Refused,
                )
                if not retryable:
                    break
                time.sleep(0.05 * attempt)
                continue
            _emit(
                out,
                {
                    **what,
                    "ok": True,
                    "attempt": attempt,
                    "id": done.event_id,
                    "created": done.created,
                    "pair": [done.pair.first, done.pair.second],
                    "started": started,
                    "ended": time.monotonic(),
                },
            )
            break


def _race(app: Any, worker: int, rounds: int, via: str, out: Any) -> None:
    for k in range(rounds):
        me, other = RACE_ACTOR, RACE_TARGETS[k]
        actor, target = (me, other) if worker == 0 else (other, me)
        on = date(2024, 1, 1) + timedelta(days=k)
        _barrier()
        started = time.monotonic()
        outcome = _cli_sever(app.url, actor, target, on) if via == "cli" else None
        if outcome is None:
            outcome = _service_sever(app, actor, target, on)
        _emit(
            out,
            {
                **outcome,
                "round": k,
                "worker": worker,
                "started": started,
                "ended": time.monotonic(),
            },
        )


def _service_sever(app: Any, actor: str, target: str, on: date) -> dict[str, Any]:
    from relations.services.recording import record

    try:
        [done] = record(app, "relations_severed", actor, [target], on)
    except Exception as exc:
        return _failure(exc)
    return {
        "ok": True,
        "id": done.event_id,
        "created": done.created,
        "before": done.status_before,
        "after": done.status_after,
    }


def _cli_sever(url: str, actor: str, target: str, on: date) -> dict[str, Any]:
    from click.testing import CliRunner

    from relations.cli import cli

    args = ["--db", url, "record", "relations_severed", actor, target, "--on", str(on), "--json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    exception = result.exception
    crashed = exception is not None and not isinstance(exception, SystemExit)
    outcome: dict[str, Any] = {
        "ok": result.exit_code == 0 and not crashed,
        "raw": crashed,
        "exit_code": result.exit_code,
        "stdout": result.stdout,
        "message": result.stderr.strip(),
        "error": f"{type(exception).__module__}.{type(exception).__qualname__}"
        if crashed
        else None,
        "traceback": "".join(traceback.format_exception(exception)) if crashed else None,
    }
    if outcome["ok"]:
        [done] = json.loads(result.stdout)
        outcome.update(
            id=done["id"],
            created=done["created"],
            before=done["status_before"],
            after=done["status_after"],
        )
    return outcome


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
