"""The ASGI application: the JSON API (/api/v1), its OpenAPI schema and interactive docs
(served from the package, no CDN), and the dashboard pages. One App per worker process,
opened on the store (SQLAlchemy's pool serves the threads); every guarantee of the
store (write rules, retries, advisory locks) holds across workers and machines."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from relations import __version__

DB_ENV, RULES_ENV, PUBLIC_ENV = "RELATIONS_DB", "RELATIONS_RULES", "RELATIONS_WEB_PUBLIC_READ"
INSECURE_ENV = "RELATIONS_WEB_INSECURE_COOKIES"
SESSION_KEY = "session-signing-key"


@dataclass(frozen=True, slots=True)
class WebSettings:
    url: str
    rules: Path | None = None
    public_read: bool = False
    secure_cookies: bool = True  # False only to test over plain http on another host


def create_app(settings: WebSettings) -> FastAPI:
    from fastapi_offline import FastAPIOffline
    from starlette.middleware.sessions import SessionMiddleware

    from relations.bootstrap import bootstrap, rules_for
    from relations.services.tokens import shared_secret
    from relations.web import api, pages, problems
    from relations.web.auth import TokenCache

    app = bootstrap(settings.url, rules=rules_for(settings.rules))
    app.store  # noqa: B018  (opened now: the pages and the API read through it, in threads)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        app.close()

    web = FastAPIOffline(
        lifespan=lifespan,
        title="relations",
        version=__version__,
        description="The status of bilateral diplomatic relations, derived from an "
        "append-only log of events. Tokens: `Authorization: Bearer TOKEN`.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        static_url="/api/v1/static",
    )
    web.state.relations = app
    web.state.public_read = settings.public_read
    web.state.tokens = TokenCache()
    problems.install(web)
    web.include_router(api.router)
    web.include_router(pages.router)
    web.add_middleware(
        SessionMiddleware,
        secret_key=shared_secret(app, SESSION_KEY),
        session_cookie="relations_session",
        max_age=12 * 3600,
        same_site="strict",
        https_only=settings.secure_cookies,
    )
    return web


def from_environment() -> FastAPI:
    """The app `relations web` starts in each uvicorn worker (a factory: the workers are
    separate processes, configured through the environment)."""
    from relations.config import database_url, rules_path

    return create_app(
        WebSettings(
            url=database_url(os.environ.get(DB_ENV)),
            rules=rules_path(os.environ.get(RULES_ENV)),
            public_read=os.environ.get(PUBLIC_ENV) == "1",
            secure_cookies=os.environ.get(INSECURE_ENV) != "1",
        )
    )
