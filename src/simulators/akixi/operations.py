"""The five operations of seed 002 (Add, Change, Delete, List, Info) on the simulator's state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulators.akixi.errors import AkixiFailure, crm_error
from simulators.akixi.state import ALL_DEVICES, ANY_ID, AkixiSimulator, Credential, Device, StoredConfig

# Seed 002 List/Info ``crmConfigurationFields``: extra fields an item carries when asked for.
OPTIONAL_FIELDS = (
    "TelSysDescription",
    "PartitionDescription",
    "DeviceDescription",
    "CMEnvironmentID",
    "TelSysID",
    "DeviceNumber",
    "PartIDInTelSys",
)


@dataclass(frozen=True)
class PathScope:
    tel_sys_id: int
    partition_id: int
    device_number: str

    def matches(self, device: Device) -> bool:
        return (
            self.tel_sys_id in (ANY_ID, device.tel_sys_id)
            and self.partition_id in (ANY_ID, device.partition_id)
            and self.device_number in (ALL_DEVICES, device.number)
        )


def _path_scope(sim: AkixiSimulator, credential: Credential, request: Request) -> PathScope:
    params = request.path_params
    try:
        scope = PathScope(int(params["tel_sys"]), int(params["partition"]), params["device"])
    except ValueError:
        raise AkixiFailure(400, None, "telSysID and partitionIDInTelSys must be integers.") from None
    known = [d for d in sim.devices if scope.matches(d)]
    if not known:
        raise AkixiFailure(404, None, "Unknown telephone system, partition or device.")
    if not any(credential.allows(d) for d in known):
        raise AkixiFailure(403, None, "Your privileges do not cover this telephone system or device.")
    return scope


def _visible(sim: AkixiSimulator, credential: Credential, scope: PathScope) -> list[StoredConfig]:
    return [c for c in sim.configs.values() if scope.matches(c.device) and credential.allows(c.device)]


def _find(sim: AkixiSimulator, credential: Credential, request: Request) -> StoredConfig:
    scope = _path_scope(sim, credential, request)
    config_id = request.path_params["config_id"].strip()
    if not config_id:
        raise crm_error(31002)
    found = next((c for c in _visible(sim, credential, scope) if c.id == config_id), None)
    if found is None:
        raise crm_error(31003)
    return found


# Add/Change bodies (lines 41-49, 92-100) and the Properties table's CRMType (line 327); nothing else.
BODY_KEYS = frozenset({"Description", "CRMType", "CRMConfiguration", "CRMConfigurationCommon"})
SETTINGS_KEYS = frozenset({"JSONData"})
# Query parameters: List (lines 177-183), Info (lines 266-269); Add, Change, Delete take none.
LIST_PARAMS = frozenset({"limit", "offset", "sort", "crmConfigurationFields"})
INFO_PARAMS = frozenset({"crmConfigurationFields"})


def refuse_unknown_params(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise AkixiFailure(400, None, f"Unknown query parameter: {', '.join(unknown)}.")


def done(sim: AkixiSimulator) -> Response:
    """Seed 002's success: "204 No Content" with a sample body {"Result": "Success"} (profiles)."""
    if sim.profile.empty_204:
        return Response(status_code=204)
    return JSONResponse({"Result": "Success"})


async def _body(request: Request) -> dict[str, Any]:
    refuse_unknown_params(request, frozenset())
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise AkixiFailure(400, None, "The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise AkixiFailure(400, None, "The request body must be a JSON object.")
    unknown = sorted(set(body) - BODY_KEYS)
    for key in ("CRMConfiguration", "CRMConfigurationCommon"):
        if isinstance(body.get(key), dict):
            unknown += [f"{key}.{name}" for name in sorted(set(body[key]) - SETTINGS_KEYS)]
    if unknown:
        raise AkixiFailure(400, None, f"Unknown member: {', '.join(unknown)}.")
    return body


def _json_data(body: dict[str, Any], key: str, missing_code: int) -> str | None:
    """The JSONData string of ``key``; absent, not a string or not a JSON object: ``missing_code``."""
    if key not in body:
        return None
    part = body[key]
    data = part.get("JSONData") if isinstance(part, dict) else None
    try:
        valid = isinstance(data, str) and isinstance(json.loads(data), dict)
    except ValueError:
        valid = False
    if not valid:
        raise crm_error(missing_code)
    return data


def _crm_type(sim: AkixiSimulator, body: dict[str, Any], required: bool) -> str | None:
    crm_type = body.get("CRMType")
    if crm_type is None or (isinstance(crm_type, str) and not crm_type.strip()):
        if required:
            raise crm_error(31004)
        return None
    if crm_type not in sim.templates:
        raise crm_error(31007)
    return str(crm_type)


def _description(body: dict[str, Any]) -> str | None:
    value = body.get("Description")
    if value is not None and not isinstance(value, str):
        raise AkixiFailure(400, None, "Description must be a string.")
    return value


def _target_device(sim: AkixiSimulator, scope: PathScope) -> Device:
    """Add needs one device: a specific telephone system and partition (the device may be "all")."""
    devices = [d for d in sim.devices if d.tel_sys_id == scope.tel_sys_id and scope.matches(d)]
    exact = [d for d in devices if d.partition_id == scope.partition_id and d.number == scope.device_number]
    if len(exact) != 1:
        raise AkixiFailure(400, None, "Add needs a specific telSysID, partitionIDInTelSys and device.")
    return exact[0]


async def add(sim: AkixiSimulator, credential: Credential, request: Request) -> Response:
    device = _target_device(sim, _path_scope(sim, credential, request))
    if not credential.allows(device):
        raise AkixiFailure(403, None, "Your privileges do not cover this device.")
    if device.is_extension:
        raise crm_error(31000)
    body = await _body(request)
    settings = _json_data(body, "CRMConfiguration", 31001)
    common = _json_data(body, "CRMConfigurationCommon", 31006)
    if settings is None:
        raise crm_error(31001)
    if common is None:
        raise crm_error(31006)
    crm_type = _crm_type(sim, body, required=True)
    if sim.config_for(device) is not None:
        raise crm_error(31005)
    sim.add(device, _description(body) or "", str(crm_type), settings, common)
    return done(sim)


async def change(sim: AkixiSimulator, credential: Credential, request: Request) -> Response:
    config = _find(sim, credential, request)
    body = await _body(request)
    settings = _json_data(body, "CRMConfiguration", 31001)
    common = _json_data(body, "CRMConfigurationCommon", 31006)
    if settings is None:
        raise crm_error(31001)
    if common is None:
        raise crm_error(31006)
    crm_type = _crm_type(sim, body, required=False)
    description = _description(body)
    config.json_data, config.common_json_data = settings, common
    config.crm_type = crm_type or config.crm_type
    config.description = config.description if description is None else description
    return done(sim)


async def delete(sim: AkixiSimulator, credential: Credential, request: Request) -> Response:
    refuse_unknown_params(request, frozenset())
    config = _find(sim, credential, request)
    del sim.configs[config.id]
    return done(sim)


async def missing_id(sim: AkixiSimulator, credential: Credential, request: Request) -> Response:
    _path_scope(sim, credential, request)
    raise crm_error(31002)


async def list_configs(sim: AkixiSimulator, credential: Credential, request: Request) -> Response:
    refuse_unknown_params(request, LIST_PARAMS)
    scope = _path_scope(sim, credential, request)
    limit, offset = _int_param(request, "limit", 25, 1, 1000), _int_param(request, "offset", 0, 0, 10**9)
    sort = request.query_params.get("sort", "ASC").strip("[]'\" ").upper()
    if sort not in ("ASC", "DESC"):
        raise AkixiFailure(400, None, "sort must be ASC or DESC.")
    configs = sorted(_visible(sim, credential, scope), key=lambda c: (c.description, c.id))
    if sort == "DESC":
        configs.reverse()
    fields = _requested_fields(request)
    items = [_summary(c, fields) for c in configs[offset : offset + limit]]
    if not sim.profile.mixed_number_types:
        items = [_numbers_as_text(item) for item in items]
    data = {"Total": len(configs), "Items": items, "Offset": offset}
    return JSONResponse({"Result": "Success", "Data": data})


async def info(sim: AkixiSimulator, credential: Credential, request: Request) -> Response:
    refuse_unknown_params(request, INFO_PARAMS)
    config = _find(sim, credential, request)
    # The Info sample gives these two as strings ("426", "1") where List gives integers.
    data = _numbers_as_text(_summary(config, _requested_fields(request)))
    data["CRMConfiguration"] = _settings(sim, config.json_data)
    data["CRMConfigurationCommon"] = _settings(sim, config.common_json_data)
    return JSONResponse({"Result": "Success", "Data": data})


def _numbers_as_text(item: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if k in ("TelSysID", "PartIDInTelSys") else v for k, v in item.items()}


def _settings(sim: AkixiSimulator, json_data: str) -> Any:
    """Objects as the Info sample shows them (lines 283-297), or the JSONData form Add sent (profiles)."""
    if sim.profile.settings_as_objects:
        try:
            return json.loads(json_data)
        except ValueError:
            pass  # data that cannot be parsed (a test's fault injection) goes back as stored
    return {"JSONData": json_data}


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise AkixiFailure(400, None, f"{name} must be an integer from {low} to {high}.")
    return value


def _requested_fields(request: Request) -> set[str]:
    # Seed 002: crmConfigurationFields '[TelSysDescription,PartitionDescription,...]'.
    raw = request.query_params.get("crmConfigurationFields", "")
    names = {part.strip("[]'\" ") for part in raw.split(",")}
    return names & set(OPTIONAL_FIELDS)


def _summary(config: StoredConfig, fields: set[str]) -> dict[str, Any]:
    device = config.device
    every = {
        "TelSysID": device.tel_sys_id,
        "DeviceDescription": device.description,
        "DeviceNumber": device.number,
        "TelSysDescription": device.tel_sys_description,
        "CMEnvironmentID": "d6d6c5a5f0f90d60:-15617a00:169f533f6d5:5613",
        "PartIDInTelSys": device.partition_id,
        "PartitionDescription": device.partition_description,
    }
    base = {"CRMConfigurationID": config.id, "Description": config.description, "CRMType": config.crm_type}
    return base | {key: value for key, value in every.items() if key in fields}
