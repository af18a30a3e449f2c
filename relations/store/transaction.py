"""One transaction's view of the store: every read (shared with the stdlib sqlite3 fast
path, see log_reader.py) and the writes, each kind in its own module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection

from relations.store.audit import AuditTrail
from relations.store.event_log import EventLogWrites
from relations.store.projections import ProjectionWrites
from relations.store.rebuild_queries import RebuildQueries
from relations.store.report_queries import ReportQueries
from relations.store.report_registry import ReportRegistry
from relations.store.review_queries import ReviewQueries
from relations.store.review_writes import ReviewWrites
from relations.store.runners import AlchemyRunner

if TYPE_CHECKING:
    from relations.store.bulk import BulkWriter
    from relations.store.token_registry import TokenRegistry


class StoreTransaction(ReportQueries, ReviewQueries, RebuildQueries, EventLogWrites,
                       ProjectionWrites, ReviewWrites):  # fmt: skip
    def __init__(self, connection: Connection) -> None:
        super().__init__(AlchemyRunner(connection))
        self.connection = connection
        self.dialect = connection.dialect.name

    @property
    def reports(self) -> ReportRegistry:
        return ReportRegistry(self.connection)

    @property
    def audit(self) -> AuditTrail:
        return AuditTrail(self.connection)

    @property
    def tokens(self) -> TokenRegistry:
        from relations.store.token_registry import TokenRegistry

        return TokenRegistry(self.connection)

    def bulk(self) -> BulkWriter:
        """The bulk loader of this transaction (large imports, reproject)."""
        from relations.store.bulk import BulkWriter

        return BulkWriter(self.connection)
