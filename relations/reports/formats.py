"""The report formats and their file extensions, in one place (the CLI's choices, the
renderer, schedules, the daemon's file names)."""

EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}
NAMES = tuple(EXTENSIONS)
