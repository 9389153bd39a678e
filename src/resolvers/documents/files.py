"""What an uploaded file is: its safe name, media type and size, checked against the settings."""

from __future__ import annotations

import mimetypes
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from gateway.settings import Settings
from resolvers.common.errors import UserError
from resolvers.documents.errors import missing_attachment, too_large, unsupported_type

GENERIC_TYPE = "application/octet-stream"
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class CheckedFile:
    source: BinaryIO
    name: str
    extension: str | None
    content_type: str
    size: int


def checked_file(
    upload: Any, settings: Settings, allowed: tuple[str, ...] | None = None
) -> CheckedFile | UserError:
    """The upload as a ``CheckedFile``, or why it is refused (CRM1109, CRM1106, too large); ``allowed``
    media types (patterns) narrow the configured document types (profile photos: images only)."""
    source = getattr(upload, "file", None)
    if source is None or not hasattr(upload, "filename"):  # e.g. a string sent in JSON variables
        return missing_attachment()
    size = _size(upload, source)
    if size == 0:
        return missing_attachment()
    if size > settings.documents_max_bytes:
        return too_large(settings.documents_max_bytes)
    name = safe_name(upload.filename)
    content_type = media_type(getattr(upload, "content_type", None), name)
    if not _allowed(content_type, settings.document_types) or not _allowed(content_type, allowed):
        return unsupported_type(content_type)
    source.seek(0)
    extension = PurePosixPath(name).suffix.lstrip(".").lower()[:32] or None
    return CheckedFile(source, name, extension, content_type, size)


def _allowed(content_type: str, patterns: tuple[str, ...] | None) -> bool:
    return patterns is None or any(fnmatchcase(content_type, pattern) for pattern in patterns)


def _size(upload: Any, source: BinaryIO) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    source.seek(0, os.SEEK_END)
    return source.tell()


def safe_name(filename: str | None) -> str:
    """The last path segment, without control characters, at most 255 characters."""
    name = CONTROL.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        return "document"
    stem, dot, suffix = name.rpartition(".")
    if len(name) > 255:
        name = (stem[: 254 - len(suffix)] + dot + suffix) if dot and len(suffix) < 32 else name[:255]
    return name


def media_type(declared: str | None, name: str) -> str:
    """The part's declared type, lower case without parameters; guessed from the name when generic."""
    declared = (declared or "").split(";", 1)[0].strip().lower()
    if declared and declared != GENERIC_TYPE:
        return declared
    return mimetypes.guess_type(name, strict=False)[0] or GENERIC_TYPE
