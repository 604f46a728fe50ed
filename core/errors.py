"""The one error type users see: a clear message, exit code 2, no traceback (see core.cli)."""


class FoundryError(Exception):
    """A user-facing error. The message names the file, line or field and what to do."""
