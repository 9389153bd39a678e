"""Seed 002's CRM error codes and the simulator's error envelope."""

from __future__ import annotations

from typing import Any

MESSAGES = {
    31000: "CRM CONFIGURATION DEVICE ADD FOR NOT EXTENSION",
    31001: "CRM CONFIGURATION NO CONFIG PROVIDED",
    31002: "CRM CONFIGURATION NO ID PROVIDED IN REQUEST",
    31003: "CRM CONFIGURATION NOT FOUND",
    31004: "CRM CONFIGURATION NO CRM TYPE PROVIDED",
    31005: "CRM CONFIGURATION CONFIG EXISTS FOR SCOPE",
    31006: "CRM CONFIGURATION NO CONFIG COMMON PROVIDED",
    31007: "CRM CONFIGURATION NO TEMPLATE FOUND",
}
STATUS = {31003: 404, 31005: 409}  # every other CRM code is a 400


class AkixiFailure(Exception):
    """An error answer: a seed 002 CRM code, or a general one (``code`` None: auth, unknown scope...)."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self, numeric_code: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"Result": "Error", "ErrorMessage": self.message}
        if self.code is not None:
            body["ErrorCode"] = self.code if numeric_code else str(self.code)
        return body


def crm_error(code: int) -> AkixiFailure:
    return AkixiFailure(STATUS.get(code, 400), code, MESSAGES[code])
