"""The names of the import formats, in one place (the CLI's choices, the readers, the
import service): ours, which record confirmed events, and the event-data feeds, whose
events wait for review."""

OURS = ("csv", "jsonl")
GDELT = "gdelt"
ICEWS = "icews"
FEEDS = (GDELT, ICEWS)
ALL = (*OURS, *FEEDS)
