"""Errors as RFC 9457 problem details (application/problem+json), with the wording of the
CLI's one-line messages: 400 for malformed input, 409 for a request the rules refuse,
401 and 403 for access, 404 for what does not exist; never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from relations.domain.errors import InvalidInput, Refused, RelationsError

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Malformed input",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Refused by the rules",
    413: "Too large",
    415: "Unsupported media type",
    500: "Internal error",
    503: "Busy",
}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail}  # fmt: skip
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


class Denied(Exception):
    """401 (no or a bad token) or 403 (a token whose role may not do this)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def install(app: FastAPI) -> None:
    """The exception handlers of the API (the pages have their own, in pages.py)."""

    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return problem(400, str(exc))

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return problem(409, str(exc))

    @app.exception_handler(RelationsError)
    async def other(_: Request, exc: RelationsError) -> JSONResponse:
        return problem(400 if exc.exit_code == 2 else 409, str(exc))

    @app.exception_handler(Denied)
    async def denied(_: Request, exc: Denied) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="relations"'} if exc.status == 401 else None
        return problem(exc.status, exc.detail, headers)

    @app.exception_handler(RequestValidationError)
    async def validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(400, validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


def validation_message(errors: Any) -> str:
    """Pydantic's errors as one line: where, and what was wrong."""
    parts = []
    for error in list(errors)[:5]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "malformed request"
