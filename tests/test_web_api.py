"""The HTTP API through FastAPI's test client, on SQLite and PostgreSQL: every endpoint,
every role (401 without a token, 403 for a role that may not, 200/201 for one that may),
the same shapes as the CLI's --json, problem details for every error, the audit log
under the token's name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_client import Web, web_on

from relations.bootstrap import bootstrap
from relations.services.audit import log

PROBLEM = "application/problem+json"


@pytest.fixture
def web(db_url: str) -> Iterator[Web]:
    yield from web_on(db_url)


READS = [
    "/api/v1/pairs/PER/MEX", "/api/v1/pairs/Peru/Mexico/history", "/api/v1/pairs",
    "/api/v1/pairs?pending=true", "/api/v1/events?country=PER", "/api/v1/review",
    "/api/v1/event-types", "/api/v1/rules/diagram", "/api/v1/reports", "/api/v1/schedules",
]  # fmt: skip


@pytest.mark.parametrize("path", READS)
def test_reads_need_a_token_and_any_role_may_read(web: Web, path: str) -> None:
    anonymous = web.get(path, role=None)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    for role in ("reader", "recorder", "admin"):
        assert web.get(path, role=role).status_code == 200, (path, role)


def test_a_bad_or_revoked_token_is_401(web: Web) -> None:
    assert web.client.get("/api/v1/pairs", headers={"Authorization": "Bearer rel_nope"}
                          ).status_code == 401  # fmt: skip
    assert web.client.get("/api/v1/pairs", headers={"Authorization": "Basic abc"}
                          ).status_code == 401  # fmt: skip
    from relations.services.tokens import revoke

    assert web.get("/api/v1/pairs", role="reader").status_code == 200
    app = bootstrap(web.url)
    revoke(app, "reader-token", by="t")
    app.close()
    import time

    from relations.web.auth import TOKEN_TTL

    time.sleep(TOKEN_TTL + 0.05)  # each worker trusts a token it checked for this long
    found = web.get("/api/v1/pairs", role="reader")
    assert found.status_code == 401 and "revoked" in found.json()["detail"]


def test_public_read_lets_anonymous_clients_read_but_not_write(db_url: str) -> None:
    for web in web_on(db_url, public_read=True):
        assert web.get("/api/v1/pairs/PER/MEX", role=None).status_code == 200
        body = {"event_type": "statement", "actor": "PER", "targets": ["CHL"],
                "occurred_on": "2025-01-01"}  # fmt: skip
        assert web.post("/api/v1/events", role=None, json=body).status_code == 401


def test_status_and_history_are_the_cli_shapes(web: Web, run: object) -> None:
    from conftest import Cli

    cli = Cli(web.url)
    assert web.get("/api/v1/pairs/PER/MEX").json() == cli.json("status", "PER", "MEX")
    assert web.get("/api/v1/pairs/MX/PE/history").json() == cli.json("history", "MX", "PE")
    assert web.get("/api/v1/pairs").json() == cli.json("pairs")
    assert web.get("/api/v1/event-types").json() == cli.json("event-types")
    as_of = web.get("/api/v1/pairs/PER/MEX?as_of=2024-01-01&known_at=2099-01-01")
    assert as_of.status_code == 400, "a known_at in the future is refused, as in the CLI"
    past = web.get("/api/v1/pairs/PER/MEX?as_of=2024-01-01").json()
    assert (past["status"], past["stage"]) == ("strained", "downgraded")


def test_recording_needs_a_recorder_and_is_audited_under_the_tokens_name(web: Web) -> None:
    body = {"event_type": "ambassador_recalled", "actor": "Peru", "targets": ["Chile", "BO"],
            "occurred_on": "2025-06-01", "summary": "Recall",
            "source": "https://example.org/r"}  # fmt: skip
    assert web.post("/api/v1/events", role=None, json=body).status_code == 401
    reader = web.post("/api/v1/events", role="reader", json=body)
    assert reader.status_code == 403 and reader.headers["content-type"] == PROBLEM
    done = web.post("/api/v1/events", role="recorder", json=body)
    assert done.status_code == 201
    assert [(r["pair"], r["status_after"], r["stage_after"]) for r in done.json()] == [
        (["CHL", "PER"], "strained", "ambassador_withdrawn"),
        (["BOL", "PER"], "strained", "ambassador_withdrawn"),
    ]
    app = bootstrap(web.url)
    last = log(app)[-1]
    app.close()
    assert (last.by, last.action) == ("recorder-token", "record")
    again = web.post("/api/v1/events", role="admin", json=body)
    assert again.status_code == 409 and "already says this" in again.json()["detail"]


def test_retract_correct_and_their_refusals(web: Web) -> None:
    ids = [e["id"] for e in web.get("/api/v1/events?country=PER&type=relations_severed").json()]
    [severed] = ids
    assert web.post(f"/api/v1/events/{severed}/retract", role="reader",
                    json={"reason": "x"}).status_code == 403  # fmt: skip
    fix = {"reason": "date", "occurred_on": "2025-11-30"}
    wrong = web.post(f"/api/v1/events/{severed}/correct", json=fix)
    assert wrong.status_code == 200, wrong.text
    assert wrong.json()["retracted"] == severed
    new_id = wrong.json()["recorded"]
    gone = web.post(f"/api/v1/events/{new_id}/retract", json={"reason": "undo", "cascade": True})
    assert gone.status_code == 200 and gone.json()["status_after"] != "severed"
    unknown = web.post("/api/v1/events/999999/retract", json={"reason": "x"})
    assert unknown.status_code == 400 and unknown.json()["detail"].startswith("there is no event")


def test_imports_upload_a_file_all_or_nothing(web: Web, fixtures_dir: Path) -> None:
    content = (fixtures_dir / "peru-mexico.jsonl").read_bytes()
    app = bootstrap(web.url)
    before = len(log(app))
    app.close()
    files = {"file": ("peru-mexico.jsonl", content, "application/x-ndjson")}
    assert web.post("/api/v1/imports", role="reader", files=files).status_code == 403
    again = web.post("/api/v1/imports", files=files)
    assert again.status_code == 200 and again.json()["already_recorded"] == 11
    bad = {"file": ("bad.csv", b"occurred_on,event_type,actor,target\nnope,statement,PER,MEX\n",
                    "text/csv")}  # fmt: skip
    refused = web.post("/api/v1/imports", files=bad)
    assert refused.status_code == 400 and "nope" in refused.json()["detail"]
    app = bootstrap(web.url)
    assert len(log(app)) == before, "nothing written by the refused import"
    app.close()


def test_review_confirm_and_dismiss(web: Web, tmp_path: Path) -> None:
    sample = Path(__file__).parent / "data" / "feeds" / "gdelt2-events-sample.tsv"
    files = {"file": (sample.name, sample.read_bytes(), "text/tab-separated-values")}
    assert web.post("/api/v1/imports", files=files).json()["pending"] == 3
    queue = web.get("/api/v1/review").json()
    ids = [e["id"] for group in queue for e in group["events"]]
    assert len(ids) == 3
    assert web.post("/api/v1/review/confirm", role="reader", json={"ids": ids[:1]}
                    ).status_code == 403  # fmt: skip
    done = web.post("/api/v1/review/confirm", json={"ids": ids[:1], "reason": "checked"})
    assert done.status_code == 200 and done.json()[0]["decision"] == "confirmed"
    dismissed = web.post("/api/v1/review/dismiss", json={"ids": ids[1:], "reason": "noise"})
    assert [d["decision"] for d in dismissed.json()] == ["dismissed", "dismissed"]
    twice = web.post("/api/v1/review/dismiss", json={"ids": ids[1:2], "reason": "again"})
    assert twice.status_code == 409


def test_reports_build_list_and_fetch(web: Web, tmp_path: Path, run: object) -> None:
    from conftest import Cli

    built = web.post("/api/v1/reports", role="reader",
                     json={"from": "2025-01-01", "to": "2026-01-01", "format": "json"})  # fmt: skip
    assert built.status_code == 200 and built.json()["schema"] == "relations.report/2"
    md = web.post(
        "/api/v1/reports", role="reader", json={"from": "2025-01-01", "format": "markdown"}
    )
    assert md.headers["content-type"].startswith("text/markdown")
    Cli(web.url).ok("report", "--output", str(tmp_path / "r.md"))
    [entry] = web.get("/api/v1/reports").json()
    fetched = web.get(f"/api/v1/reports/{entry['id']}")
    assert fetched.status_code == 200 and fetched.text == (tmp_path / "r.md").read_text()
    assert web.get("/api/v1/reports/999").status_code == 400
    bad = web.post("/api/v1/reports", role="reader", json={"format": "pdf"})
    assert bad.status_code == 400 and "pdf" in bad.json()["detail"]


def test_schedules_need_an_admin(web: Web, tmp_path: Path) -> None:
    body = {"name": "weekly", "every": "1w", "output_dir": str(tmp_path)}
    assert web.post("/api/v1/schedules", role="recorder", json=body).status_code == 403
    made = web.post("/api/v1/schedules", role="admin", json=body)
    assert made.status_code == 201 and made.json()[0]["name"] == "weekly"
    assert [s["name"] for s in web.get("/api/v1/schedules").json()] == ["weekly"]
    assert web.delete("/api/v1/schedules/weekly", role="recorder").status_code == 403
    assert web.delete("/api/v1/schedules/weekly").status_code == 204
    assert web.delete("/api/v1/schedules/weekly").status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/v1/pairs/PER/Narnia", None, 400),
        ("get", "/api/v1/pairs/PER/PER", None, 400),
        ("get", "/api/v1/pairs/PER/MEX?as_of=2025-02-30", None, 400),
        ("get", "/api/v1/events?from=yesterday", None, 400),
        ("get", "/api/v1/review?limit=0", None, 400),
        ("get", "/api/v1/nowhere", None, 404),
        ("post", "/api/v1/events", {"event_type": "relations_severd", "actor": "PER",
                                    "targets": ["MEX"], "occurred_on": "2025-01-01"}, 400),
        ("post", "/api/v1/events", {"event_type": "relations_severed", "actor": "PER",
                                    "targets": ["MEX"], "occurred_on": "2025-01-01"}, 409),
        ("post", "/api/v1/events", {"event_type": "statement", "actor": "PER",
                                    "targets": ["MEX"], "occurred_on": "2025-01-01",
                                    "unknown": 1}, 400),
        ("post", "/api/v1/events", "not json", 400),
        ("post", "/api/v1/events/abc/retract", {"reason": "x"}, 400),
    ],
)  # fmt: skip
def test_errors_are_problem_details_with_the_clis_words(
    web: Web, method: str, path: str, body: object, status: int
) -> None:
    if method == "get":
        found = web.get(path)
    elif isinstance(body, str):
        headers = {**web.auth("recorder"), "content-type": "application/json"}
        found = web.client.post(path, content=body, headers=headers)
    else:
        found = web.post(path, json=body)
    assert found.status_code == status, found.text
    assert found.headers["content-type"] == PROBLEM
    problem = found.json()
    assert set(problem) == {"type", "title", "status", "detail"} and problem["status"] == status
    assert "\n" not in problem["detail"] and "Traceback" not in problem["detail"]


def test_openapi_and_its_docs_are_served_without_a_cdn(web: Web) -> None:
    schema = web.client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/pairs/{a}/{b}", "/api/v1/pairs/{a}/{b}/history", "/api/v1/pairs",
                 "/api/v1/events", "/api/v1/events/{event_id}/retract",
                 "/api/v1/events/{event_id}/correct", "/api/v1/imports", "/api/v1/review",
                 "/api/v1/event-types", "/api/v1/reports"):  # fmt: skip
        assert path in schema["paths"], path
    docs = web.client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text and "https://" not in docs.text
    for asset in ("/api/v1/static/swagger-ui-bundle.js", "/api/v1/static/swagger-ui.css"):
        assert web.client.get(asset).status_code == 200


def test_health_is_trivial(web: Web) -> None:
    assert json.loads(web.client.get("/api/v1/health").text) == {"status": "ok"}
