"""The sandbox's error type: rendered as Magento's ``{"message", "parameters"}`` envelope."""

from __future__ import annotations

from typing import Any

NO_SUCH_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
NO_ROUTE = "Request does not match any route."
ACL_DENIED = "The consumer isn't authorized to access %resources."


class ApiError(Exception):
    def __init__(self, status: int, message: str, parameters: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.parameters is not None:
            body["parameters"] = self.parameters
        return body
