"""Who makes a request. The API takes `Authorization: Bearer TOKEN` (never a cookie, so
no other site can make a browser write through it); the pages take a session cookie
made at sign-in (signed, HttpOnly, SameSite=Strict, Secure), whose token is checked
again on every request. A revoked token stops working at once for the pages, and within
TOKEN_TTL (one second) for the API, whose workers remember a checked token that long."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fastapi import Request

from relations.application import App
from relations.services import tokens
from relations.services.tokens import ANONYMOUS, Principal
from relations.web.problems import Denied


def relations_app(request: Request) -> App:
    found: App = request.app.state.relations
    return found


TOKEN_TTL = 1.0  # seconds a worker trusts a token it checked: a revocation takes this long


class TokenCache:
    """The tokens a worker checked in the last TOKEN_TTL seconds, by digest (never the
    token itself): a burst of requests costs one database read, not one each."""

    def __init__(self) -> None:
        self._found: dict[str, tuple[Principal | None, float]] = {}
        self._lock = threading.Lock()

    def principal(self, app: App, token: str) -> Principal | None:
        key = tokens.digest(token)
        now = time.monotonic()
        with self._lock:
            cached = self._found.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        found = tokens.authenticate(app, token)
        with self._lock:
            if len(self._found) > 10_000:  # bounded: forget everything, read again
                self._found.clear()
            self._found[key] = (found, now + TOKEN_TTL)
        return found


def bearer(request: Request) -> Principal | None:
    """The principal of the request's bearer token; None without one."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Denied(401, "the Authorization header must be `Bearer TOKEN`")
    cache: TokenCache = request.app.state.tokens
    found = cache.principal(relations_app(request), token.strip())
    if found is None:
        raise Denied(401, "unknown or revoked token (`relations token add` makes one)")
    return found


def signed_in(request: Request) -> Principal | None:
    """The principal of the page session, if its token is still active."""
    digest = request.session.get("digest")
    if not digest:
        return None
    app = relations_app(request)
    with app.store.reading() as tx:
        found = tx.tokens.by_digest(str(digest))
    if found is None or not found.active:
        request.session.clear()
        return None
    return Principal(found.name, found.role)


def check(found: Principal | None, role: str, public_read: bool) -> Principal:
    if found is None:
        if role == "reader" and public_read:
            return ANONYMOUS
        raise Denied(401, "a token is needed (`Authorization: Bearer TOKEN`)")
    if not found.may(role):
        raise Denied(403, f"the token {found.name!r} is a {found.role}; this needs a {role} token")
    return found


def api_role(role: str) -> Callable[[Request], Principal]:
    """A dependency: the bearer principal, allowed to act as ``role``."""

    def dependency(request: Request) -> Principal:
        return check(bearer(request), role, request.app.state.public_read)

    dependency.__name__ = f"{role}_token"
    return dependency


def page_role(role: str) -> Callable[[Request], Principal]:
    """A dependency: the signed-in principal (pages), allowed to act as ``role``."""

    def dependency(request: Request) -> Principal:
        return check(signed_in(request), role, request.app.state.public_read)

    dependency.__name__ = f"{role}_session"
    return dependency
