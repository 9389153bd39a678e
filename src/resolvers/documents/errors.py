"""Expected errors of document mutations, with seed 000's CRM codes where it has them."""

from __future__ import annotations

from resolvers.common.errors import UserError, UserErrorCode, error

UNSUPPORTED_TYPE = "CRM1106"  # Unsupported file attachment type.
MISSING_ATTACHMENT = "CRM1109"  # Missing file attachment.
REMOVED = "CRM1114"  # Document removed successfully.
NOT_UPDATED = "CRM1118"  # Failed to update the document.
OWNER_NOT_FOUND = {"Contact": "CUST1102", "Account": "CUST2102"}


def missing_attachment() -> UserError:
    message = "Missing file attachment: send the file as a part of a multipart request."
    return error(["file"], message, UserErrorCode.REQUIRED, MISSING_ATTACHMENT)


def unsupported_type(content_type: str) -> UserError:
    message = f"Unsupported file attachment type: {content_type[:100]}."
    return error(["file"], message, UserErrorCode.INVALID, UNSUPPORTED_TYPE)


def too_large(limit: int) -> UserError:
    return error(["file"], f"The file is larger than {limit} bytes, the limit.", UserErrorCode.TOO_LARGE)


def owner_not_found(type_name: str) -> UserError:
    noun = "organization" if type_name == "Account" else "contact"
    message = f"Cannot find the {noun} to attach the document to."
    return error(["input", "ownerId"], message, UserErrorCode.NOT_FOUND, OWNER_NOT_FOUND.get(type_name))


def document_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find the document.", UserErrorCode.NOT_FOUND, NOT_UPDATED)
