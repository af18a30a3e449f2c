"""relations: track the status of bilateral diplomatic relations from an append-only event log."""

__version__ = "0.1.0"
