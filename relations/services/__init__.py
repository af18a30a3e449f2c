"""Use cases. Each takes an App and plain values and returns plain values.

Nothing here knows about click or formatting; the CLI and the tests call these.
"""
