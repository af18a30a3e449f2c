"""The audit trail: every write that changed the record, with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from relations.application import App

if TYPE_CHECKING:
    from relations.store.rows import Write
    from relations.store.transaction import StoreTransaction


class AuditedWrite:
    """The audit row of a write, added when the write first changes something (a
    repeated external id changes nothing and leaves no trace)."""

    def __init__(
        self, app: App, tx: StoreTransaction, by: str, action: str, description: str
    ) -> None:
        self.app, self.tx = app, tx
        self.by, self.action, self.description = by, action, description
        self._id: int | None = None
        self.at = app.clock()

    @property
    def id(self) -> int:
        if self._id is None:
            self._id = self.tx.audit.add(self.at, self.by, self.action, self.description)
        return self._id


def log(app: App, since: datetime | None = None) -> list[Write]:
    """Every write in the order it was made, from ``since`` on."""
    with app.store.reading() as tx:
        return tx.audit.entries(since)
