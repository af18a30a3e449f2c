"""The web service's access tokens (a digest of each, never the token) and the values
its workers share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from relations.store.rows import naive_utc
from relations.store.schema import tokens, web_settings


@dataclass(frozen=True, slots=True)
class StoredToken:
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class TokenRegistry:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, name: str, role: str, digest: str, at: datetime) -> int:
        values = {"name": name, "role": role, "digest": digest, "created_at": naive_utc(at)}
        result = self.connection.execute(tokens.insert().values(**values).returning(tokens.c.id))
        return int(result.scalar_one())

    def named(self, name: str) -> StoredToken | None:
        row = self.connection.execute(select(tokens).where(tokens.c.name == name)).first()
        return _token(row) if row else None

    def by_digest(self, digest: str) -> StoredToken | None:
        row = self.connection.execute(select(tokens).where(tokens.c.digest == digest)).first()
        return _token(row) if row else None

    def entries(self) -> list[StoredToken]:
        return [
            _token(row) for row in self.connection.execute(select(tokens).order_by(tokens.c.id))
        ]

    def revoke(self, name: str, at: datetime) -> None:
        self.connection.execute(
            update(tokens).where(tokens.c.name == name).values(revoked_at=naive_utc(at))
        )

    def setting(self, key: str) -> str | None:
        found = self.connection.execute(
            select(web_settings.c.value).where(web_settings.c.key == key)
        ).scalar()
        return None if found is None else str(found)

    def put_setting(self, key: str, value: str) -> None:
        self.connection.execute(web_settings.insert().values(key=key, value=value))


def _token(row: Any) -> StoredToken:
    revoked = row.revoked_at.replace(tzinfo=UTC) if row.revoked_at else None
    return StoredToken(row.id, row.name, row.role, row.created_at.replace(tzinfo=UTC), revoked)
