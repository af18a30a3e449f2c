"""Access tokens of the web service: who may read, record, or also manage schedules.

A token is printed once, when it is made; only its SHA-256 digest is stored (a token is
32 random bytes, so a fast digest is as strong as a slow one: there is nothing to
guess). Every write made with a token is in the audit log under the token's name,
never the token itself.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from relations.application import App
from relations.domain.errors import InvalidInput, Refused
from relations.services import inputs
from relations.services.audit import AuditedWrite

if TYPE_CHECKING:
    from relations.store.token_registry import StoredToken
    from relations.store.transaction import StoreTransaction

ROLES = ("reader", "recorder", "admin")  # each may do what the ones before it may
PREFIX = "rel_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes a request: a token's name and role, or anonymous (public reading)."""

    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


ANONYMOUS = Principal("anonymous", "reader")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add(app: App, name: str, role: str, *, by: str | None = None) -> tuple[StoredToken, str]:
    """A new token: (what is stored, the token itself, to be shown once)."""
    who = inputs.author(by)
    _check_name(name)
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(32)

    def work(tx: StoreTransaction) -> StoredToken:
        if tx.tokens.named(name) is not None:
            raise Refused(f"a token named {name!r} exists (revoked or not); choose another name")
        write = AuditedWrite(app, tx, who, "token", f"token add {name} ({role})")
        tx.tokens.add(name, role, digest(token), write.at)
        write.id  # noqa: B018  (the audit row: made on first use)
        found = tx.tokens.named(name)
        assert found is not None
        return found

    return app.store.write(work), token


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"token name {name!r}: use 1 to 100 letters, digits and . _ @ -, starting "
            "with a letter or digit"
        )


def listing(app: App) -> list[StoredToken]:
    with app.store.reading() as tx:
        return tx.tokens.entries()


def revoke(app: App, name: str, *, by: str | None = None) -> StoredToken:
    who = inputs.author(by)
    _check_name(name)  # no name outside the rules was ever given (and no text the store refuses)

    def work(tx: StoreTransaction) -> StoredToken:
        found = tx.tokens.named(name)
        if found is None:
            raise InvalidInput(f"no token named {name!r} (see `relations token list`)")
        if not found.active:
            raise Refused(f"the token {name!r} was already revoked")
        write = AuditedWrite(app, tx, who, "token", f"token revoke {name}")
        tx.tokens.revoke(name, write.at)
        write.id  # noqa: B018  (the audit row: made on first use)
        revoked = tx.tokens.named(name)
        assert revoked is not None
        return revoked

    return app.store.write(work)


def authenticate(app: App, token: str) -> Principal | None:
    """The principal of an active token, or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    with app.store.reading() as tx:
        found = tx.tokens.by_digest(digest(token))
    if found is None or not found.active:
        return None
    return Principal(found.name, found.role)


def shared_secret(app: App, key: str) -> str:
    """A random value every worker of the web service shares (made once, kept in the
    database): the key that signs session cookies."""
    with app.store.reading() as tx:
        found = tx.tokens.setting(key)
    if found is not None:
        return found
    value = secrets.token_urlsafe(48)

    def work(tx: StoreTransaction) -> str:
        existing = tx.tokens.setting(key)  # another worker may have made it meanwhile
        if existing is not None:
            return existing
        tx.tokens.put_setting(key, value)
        return value

    return app.store.write(work, alone=True)
