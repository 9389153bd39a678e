"""Log lines as text or as JSON objects (``CRM_GATEWAY_LOG_FORMAT``), each carrying the request it
belongs to (request id, tenant, subject, operation name) and none of the secrets it may have met.

Redaction is the last step of formatting, whatever logged the line: JWTs, ``Bearer`` credentials,
API keys and the configured secrets (JWT secret, passwords in the database and Redis URLs) are
replaced by ``[redacted]``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from gateway.observability.request import current
from gateway.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
REDACTED = "[redacted]"
SECRET_PATTERNS = (
    r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*",  # a JWT (its header always starts {" -> eyJ)
    r"(?<=[Bb][Ee][Aa][Rr][Ee][Rr] )[A-Za-z0-9._~+/=-]+",  # whatever follows Bearer, well-formed or not
    r"crmgw_[0-9a-f]+_[A-Za-z0-9_-]+",  # an API key (gateway.apikeys)
)
# The record attributes every log record has; any other attribute came in ``extra`` and is a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "color_message"}


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        literal = [re.escape(secret) for secret in secrets if secret and len(secret) >= 4]
        self._pattern = re.compile("|".join([*SECRET_PATTERNS, *literal]))

    def __call__(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text)


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields, any ``extra``."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        observation = current.get()
        if observation is not None:
            line |= observation.fields()
        line |= {name: value for name, value in vars(record).items() if name not in _STANDARD}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(line, default=str))


def configure_logging(settings: Settings) -> None:
    """Log to stderr in the configured format, unless the host program configured logging already
    (as ``logging.basicConfig`` does: tests and embedding applications keep their own handlers)."""
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    if root.handlers:
        return
    handler = logging.StreamHandler()
    redact = Redactor(configured_secrets(settings))
    json_lines = settings.log_format == "json"
    handler.setFormatter(JsonFormatter(redact) if json_lines else TextFormatter(redact))
    root.addHandler(handler)


def configured_secrets(settings: Settings) -> list[str]:
    secrets = [settings.jwt_secret or "", _password(settings.database_url)]
    if settings.redis_url:
        secrets.append(_password(settings.redis_url))
    return [secret for secret in secrets if secret]


def _password(url: str) -> str:
    try:
        return make_url(url).password or ""
    except ArgumentError:
        return ""
