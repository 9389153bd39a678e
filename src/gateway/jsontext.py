"""JSON that is already text, spliced into a response instead of decoded and encoded again.

A planned root field's answer (``gateway.planner``) is its exact response JSON, built by the database.
Decoding it into Python objects only for the HTTP response to encode them again cost a page of 200
contacts ~1.5 MB of short-lived objects per request in flight, most of the server's peak memory under
concurrent load, and the CPU of both passes. ``JsonText`` keeps the text; ``dumps`` embeds it as it is
(``orjson.Fragment``). What reads a result as Python (in-process ``schema.execute``, the WebSocket
multiplexer) gets decoded values instead: the planner splices only where the context asks for it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class JsonText:
    """A JSON value as text, assumed valid (it comes from the database's JSON functions)."""

    __slots__ = ("text",)

    def __init__(self, text: str | bytes) -> None:
        self.text = text


def dumps(value: Any) -> bytes:
    """``value`` as compact JSON with every ``JsonText`` embedded verbatim.

    orjson refuses integers past 64 bits, which the standard library encodes: that rare value is
    encoded by ``json``, with the texts decoded for it.
    """
    try:
        return orjson.dumps(value, default=_fragment)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), default=_decoded).encode()


def _fragment(value: Any) -> orjson.Fragment:
    if isinstance(value, JsonText):
        return orjson.Fragment(value.text)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _decoded(value: Any) -> Any:
    if isinstance(value, JsonText):
        return orjson.loads(value.text)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
