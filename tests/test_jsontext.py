"""A planned root field's JSON text, spliced into the response as it is (gateway.jsontext)."""

from __future__ import annotations

import orjson
import pytest

from gateway.jsontext import JsonText, dumps


def test_the_text_is_embedded_verbatim_among_encoded_values() -> None:
    body = dumps({"data": {"contacts": JsonText('{"edges" : [1, \n 2]}')}, "extensions": {"cost": 1}})
    assert body == b'{"data":{"contacts":{"edges" : [1, \n 2]}},"extensions":{"cost":1}}'
    assert orjson.loads(body) == {"data": {"contacts": {"edges": [1, 2]}}, "extensions": {"cost": 1}}


def test_an_integer_past_64_bits_beside_a_text_is_encoded_by_the_standard_library() -> None:
    body = dumps([{"data": {"a": JsonText('{"b" : [1, 2]}')}}, {"data": {"big": 2**70}}])
    assert body == b'[{"data":{"a":{"b":[1,2]}}},{"data":{"big":1180591620717411303424}}]'


def test_what_json_cannot_encode_is_still_a_type_error() -> None:
    with pytest.raises(TypeError):
        dumps({"a": object()})
