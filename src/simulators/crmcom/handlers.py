"""What every simulator method shares: the token check, parameters, identifiers and ``fields_set``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from simulators.crmcom import codes
from simulators.crmcom.store import CrmcomStore, Organisation

Json = dict[str, Any]


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Call:
    """One authenticated call: its organisation's data and its parameters (query string or JSON body)."""

    store: CrmcomStore
    organisation: str
    params: Json

    @classmethod
    async def read(cls, request: Request, store: CrmcomStore, allowed: frozenset[str]) -> Call:
        """The call's parameters, refusing a name the method's table in the seed does not list."""
        params: Json = dict(request.query_params)
        if request.method == "POST":
            params = await _form(request) if _is_form(request) else await _json_body(request)
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ApiError(codes.UNKNOWN_PARAMETER, f"unknown parameter: {', '.join(unknown)}")
        token = params.get("token")
        if not isinstance(token, str) or token not in store.tokens:
            raise ApiError(codes.INVALID_TOKEN, "the token is not valid")
        if not store.tokens[token]:
            raise ApiError(codes.TOKEN_EXPIRED, "the token has expired")
        return cls(store, store.tokens[token], params)

    @property
    def org(self) -> Organisation:
        return self.store.org(self.organisation)

    def user(self) -> str:
        """The username the call's token was issued to (answers record who set a consent flag)."""
        return self.store.token_users.get(str(self.params.get("token")), "")

    def identifier(self, name: str, *, mandatory: bool = True) -> Json | None:
        """``<name>_identifier``: an object in a body, ``field=value`` in a query string."""
        value = self.params.get(f"{name}_identifier")
        if isinstance(value, str) and "=" in value:
            key, _, text = value.partition("=")
            value = {key: text}
        if isinstance(value, dict) and value:
            return value
        if value is None and not mandatory:
            return None
        raise ApiError(codes.MANDATORY_FIELD_MISSING, f"{name}_identifier is mandatory")

    def find(self, records: dict[str, Json], name: str, identifier: Json) -> Json:
        """The record an identifier names (by id, or by any other field it gives, e.g. number)."""
        if "id" in identifier:
            found = records.get(str(identifier["id"]).upper())
        else:
            found = next((r for r in records.values() if _matches(r, identifier)), None)
        if found is None:
            raise ApiError(codes.NOT_FOUND, f"no {name} matches the identifier")
        return found

    def text(self, name: str, *, mandatory: bool = False, allowed: tuple[str, ...] = ()) -> str | None:
        value = self.params.get(name)
        if value is None or value == "":
            if mandatory:
                raise ApiError(codes.MANDATORY_FIELD_MISSING, f"{name} is mandatory")
            return None
        if not isinstance(value, str) or (allowed and value not in allowed):
            raise ApiError(codes.INVALID_VALUE, f"{name} must be one of {', '.join(allowed) or 'text'}")
        return value

    def number(self, name: str, *, mandatory: bool = False, default: int | None = None) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            if mandatory:
                raise ApiError(codes.MANDATORY_FIELD_MISSING, f"{name} is mandatory")
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ApiError(codes.INVALID_VALUE, f"{name} must be a number") from None
        if number < 0:
            raise ApiError(codes.INVALID_VALUE, f"{name} must not be negative")
        return number

    def project(self, data: Any) -> Any:
        """``fields_set``: "A list of fields that should be included in the results" (top-level names)."""
        wanted = self.params.get("fields_set")
        if not isinstance(wanted, str) or not wanted:
            return data
        names = {name.strip() for name in wanted.split(",")}
        if isinstance(data, list):
            return [{k: v for k, v in item.items() if k in names} for item in data]
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k in names}
        return data

    def paged(self, rows: list[Json]) -> list[Json]:
        """``offset`` and ``number_of_results``: seed 003 lines 520-542, contact_information/list only."""
        offset = self.number("offset", default=0) or 0
        size = self.number("number_of_results")
        return rows[offset:] if size is None else rows[offset : offset + size]


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


async def _json_body(request: Request) -> Json:
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(codes.INVALID_VALUE, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(codes.INVALID_VALUE, "the body must be a JSON object")
    return body


async def _form(request: Request) -> Json:
    """A multipart/form-data post (RFC 1867, seed 003 line 3828): text fields and files, each once."""
    try:
        form = await request.form(max_files=1, max_fields=8)
    except Exception:  # starlette's parser refuses a malformed or oversized form with its own errors
        raise ApiError(codes.INVALID_VALUE, "the body is not a valid multipart form") from None
    try:
        names = [name for name, _ in form.multi_items()]
        if len(names) != len(set(names)):
            raise ApiError(codes.INVALID_VALUE, "a form field is given twice")
        return {name: await _part(value) for name, value in form.items()}
    finally:
        await form.close()


@dataclass(frozen=True)
class FilePart:
    """A form's file part, read whole (a simulator's files are small)."""

    filename: str | None
    content_type: str | None
    content: bytes


async def _part(value: Any) -> Any:
    if isinstance(value, UploadFile):
        return FilePart(value.filename, value.content_type, await value.read())
    return value


def _matches(record: Json, identifier: Json) -> bool:
    return all(str(record.get(key)) == str(value) for key, value in identifier.items())


def linked_id(record: Json, key: str) -> str | None:
    linked = record.get(key)
    return str(linked["id"]).upper() if isinstance(linked, dict) and linked.get("id") else None
