"""The one error type users see: a clear message, exit code 2, no traceback (see r1_foundry.core.cli.common.friendly)."""


class FoundryError(Exception):
    """A user-facing error. The message names the file, line or field and what to do."""
