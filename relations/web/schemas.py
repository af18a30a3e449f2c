"""The API's request bodies, and the schemas of its main responses for OpenAPI. The
responses themselves are built by relations/views.py (the same shapes as the CLI's
--json); FastAPI validates them against these, so the two cannot drift apart."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


class Feed(BaseModel):
    source_rows: int | None
    source_score: float | None
    source_event_id: str | None
    articles: int | None
    sources: int | None


class EventOut(BaseModel):
    id: int
    event_type: str
    actor: str
    target: str
    occurred_on: str
    summary: str | None
    source: str | None
    external_id: str | None
    recorded_at: str
    supersedes: int | None
    via: str | None
    review: str
    coded_type: str | None
    feed: Feed | None


class MissionOut(BaseModel):
    sender: str
    host: str
    level: str
    since: str | None
    protecting_power: str | None
    consular: bool


class Pending(BaseModel):
    count: int
    latest: str | None


class StatusOut(BaseModel):
    pair: list[str]
    status: str
    since: str | None
    stage: str
    stage_since: str | None
    missions: list[MissionOut]
    as_of: str
    known_at: str | None
    cause: EventOut | None
    events: int
    pending: Pending


class PairStateOut(BaseModel):
    pair: list[str]
    status: str
    since: str | None
    stage: str
    stage_since: str | None
    events: int
    cause_id: int | None
    pending: int
    pending_latest: str | None


class RecordedOut(BaseModel):
    id: int
    pair: list[str]
    event_type: str
    status_before: str
    status_after: str
    stage_before: str
    stage_after: str
    created: bool


class HistoryItemOut(EventOut):
    model_config = ConfigDict(extra="allow")  # effect, status and stage before/after...


class RecordIn(Strict):
    """The `record` command's arguments: one event per target, all or none."""

    event_type: str = Field(max_length=64)
    actor: str = Field(max_length=100)
    targets: list[str] = Field(min_length=1, max_length=50)
    occurred_on: str = Field(description="YYYY-MM-DD", max_length=40)
    summary: str = ""
    source: str = ""
    external_id: str | None = None
    via: str | None = None
    allow_duplicate: bool = False


class RetractIn(Strict):
    reason: str
    cascade: bool = False


class CorrectIn(Strict):
    reason: str
    occurred_on: str | None = None
    event_type: str | None = None
    actor: str | None = None
    target: str | None = None
    summary: str | None = None
    source: str | None = None
    via: str | None = None


EventId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class DecideIn(Strict):
    ids: list[EventId] = Field(min_length=1, max_length=500)
    reason: str = ""
    event_type: str | None = Field(default=None, description="confirm only: as this type")


class ReportIn(Strict):
    start: str | None = Field(default=None, alias="from", description="period start")
    end: str | None = Field(default=None, alias="to", description="period end, excluded")
    countries: list[str] = []
    format: str = "json"
    known_at: str | None = None
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ScheduleIn(Strict):
    name: str
    cron: str | None = None
    every: str | None = None
    format: str = "markdown"
    output_dir: str
    countries: list[str] = []
    timezone: str = "UTC"


JSON = dict[str, Any]
