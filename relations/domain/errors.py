"""The two kinds of failure a user can cause, and the exit codes they map to."""


class RelationsError(Exception):
    """Base of every error meant for the user: the message is the whole story."""

    exit_code = 1


class InvalidInput(RelationsError):
    """Malformed input: an unknown name, a bad date, a missing value (exit 2)."""

    exit_code = 2


class Refused(RelationsError):
    """Well-formed input that the rules refuse (exit 1)."""

    exit_code = 1
