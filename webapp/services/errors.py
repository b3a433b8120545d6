from __future__ import annotations


class ServiceError(Exception):
    """A domain rule refused the operation; the message is shown to the user as is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
