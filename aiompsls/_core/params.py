"""Request parameters on the wire: encode a request model, decode and check raw values.

Imports: stdlib, attrs, ``aiompsls.models`` and the schema. The client encodes with
:func:`encode_params`; the emulator (and the CLI, for ``--param K=V``) decodes with
:func:`decode_params`, which enforces the spec's required flags, types and documented
constraints and reports problems as the gateway does (``MissingParameter``,
``InvalidParameter``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aiompsls._core.operations import OPERATIONS
from aiompsls._core.schema import Operation, Param
from aiompsls.models._base import Request

_INTEGER = re.compile(r"^-?[0-9]+$")
_BOOLEANS = {"true": True, "false": False}


class ParamError(ValueError):
    """A parameter is missing or invalid; ``code`` is the gateway's error code."""

    def __init__(self, code: str, param: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.param = param
        self.message = message


def encode_params(request: Request[Any]) -> dict[str, str]:
    """The wire parameters of a request: unset optional values are left out."""
    out: dict[str, str] = {}
    for param in OPERATIONS[request.ACTION].params:
        value = getattr(request, param.attr)
        if value is None:
            continue
        name = param.name
        if isinstance(value, list | tuple):
            # RepeatList parameters go as Name.1, Name.2, ... (section 15, FilePaths.N).
            out.update({f"{name}.{i}": str(v) for i, v in enumerate(value, 1)})
        else:
            out[name] = _scalar(value)
    return out


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def decode_params(
    operation: Operation, raw: Mapping[str, str], *, check: bool = True
) -> Request[Any]:
    """Build the request model from raw wire values, checking the spec's rules.

    Unknown keys are ignored (they are the common parameters). With ``check`` off only
    presence and types are enforced, not the documented constraints.
    """
    kwargs: dict[str, object] = {}
    for param in operation.params:
        value = _raw_value(param, raw)
        if value is None:
            if param.required:
                raise missing(param.name)
            continue
        kwargs[param.attr] = _convert(param, value, check=check)
    return operation.request(**kwargs)


def missing(name: str) -> ParamError:
    """The gateway's error for an absent mandatory parameter."""
    return ParamError(
        "MissingParameter",
        name,
        f'The input parameter "{name}" that is mandatory for processing this '
        "request is not supplied.",
    )


def invalid(name: str, why: str) -> ParamError:
    """The gateway's error for a parameter that breaks a rule; ``why`` says which."""
    return ParamError(
        "InvalidParameter", name, f"Specified parameter {name} is not valid: {why}"
    )


def _raw_value(param: Param, raw: Mapping[str, str]) -> str | list[str] | None:
    if param.type != "list":
        return raw.get(param.name)
    items = []
    index = 1
    while f"{param.name}.{index}" in raw:
        items.append(raw[f"{param.name}.{index}"])
        index += 1
    return items or None


def _convert(param: Param, value: str | list[str], *, check: bool) -> object:
    if isinstance(value, list):
        if check and param.max_items is not None and len(value) > param.max_items:
            raise invalid(param.name, f"at most {param.max_items} items")
        return value
    if param.type == "integer":
        return _integer(param, value, check=check)
    if param.type == "boolean":
        if value.lower() not in _BOOLEANS:
            raise invalid(param.name, "expected true or false")
        return _BOOLEANS[value.lower()]
    if check:
        _check_string(param, value)
    return value


def _integer(param: Param, value: str, *, check: bool) -> int:
    if not _INTEGER.match(value.strip()):
        raise invalid(param.name, f"expected an integer, got {value!r}")
    number = int(value)
    if not check:
        return number
    if param.minimum is not None and number < param.minimum:
        raise invalid(param.name, f"must be at least {param.minimum}")
    if param.maximum is not None and number > param.maximum:
        raise invalid(param.name, f"must be at most {param.maximum}")
    if param.multiple_of is not None and number % param.multiple_of:
        raise invalid(param.name, f"must be a multiple of {param.multiple_of}")
    return number


def _check_string(param: Param, value: str) -> None:
    if param.enum and value not in param.enum:
        raise invalid(param.name, "expected one of " + ", ".join(param.enum))
    if param.max_length is not None and len(value) > param.max_length:
        raise invalid(param.name, f"at most {param.max_length} characters")
    if param.pattern is not None and not re.fullmatch(param.pattern, value):
        raise invalid(param.name, f"must match {param.pattern}")
    if param.max_items is not None and len(value.split(",")) > param.max_items:
        raise invalid(param.name, f"at most {param.max_items} comma-separated items")
    if param.is_json:
        _check_json(param, value)


def _check_json(param: Param, value: str) -> None:
    try:
        json.loads(value)
    except ValueError as exc:
        raise invalid(param.name, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise invalid(param.name, "not valid JSON (it nests too deeply)") from None
