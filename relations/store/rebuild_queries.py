"""What a rebuild of the projections (reproject) reads of them before it starts: the
status and stage each pair had, the events held invalid, and whether everything was
built under the rules in force."""

from __future__ import annotations

from relations.domain.events import Pair
from relations.store.log_reader import LogReader


class RebuildQueries(LogReader):
    def stages(self) -> dict[Pair, tuple[str, str | None]]:
        """Each stored pair's status and stage (None if stored before stages)."""
        sql = "SELECT pair_first, pair_second, status, stage FROM pair_status"
        return {Pair(a, b): (status, stage) for a, b, status, stage in self.runner.rows(sql, {})}

    def projected_under(self, digest: str) -> tuple[int, int, int]:
        """(pairs stored, of those under rules other than ``digest``, event_effects
        rows): whether the projections were all built under these rules."""
        sql = (
            "SELECT (SELECT count(*) FROM pair_status), "
            "(SELECT count(*) FROM pair_status WHERE rules_digest <> :digest), "
            "(SELECT count(*) FROM event_effects)"
        )
        pairs, others, effects = self.runner.rows(sql, {"digest": digest})[0]
        return int(pairs), int(others), int(effects)

    def invalid_event_ids(self) -> set[int]:
        """Events the projection holds as invalid under the rules it was built with."""
        return {
            int(r[0])
            for r in self.runner.rows("SELECT event_id FROM event_effects WHERE NOT valid")
        }
