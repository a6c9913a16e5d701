"""Handlers of the permission rule actions (section 10 of the API reference).

Rules are kept per service: ``db`` per collection (a collection without its own rule
shows the space default), ``file`` once per space. The preset names stand for the JSON
rules of the MPServerless security rule documentation; the default is
``ADMINWRITEONLY`` (everyone reads, only administrators write).
"""

from __future__ import annotations

import json

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import HTTP_OK, invalid_param, space_of
from aiompsls.emulator.records import PolicyRecord

_OWNER = "request.auth.userId==resource.auth.userId"
PRESETS: dict[str, dict[str, object]] = {
    "PUBLICREAD": {".read": True, ".write": _OWNER},
    "PRIVATE": {".read": _OWNER, ".write": _OWNER},
    "ADMINWRITEONLY": {".read": True, ".write": False},
    "ADMINREADWRITEONLY": {".read": False, ".write": False},
}
DEFAULT_POLICY = "ADMINWRITEONLY"


def _preset(name: str) -> PolicyRecord:
    return PolicyRecord(
        policy_name=name, policy=json.dumps(PRESETS[name], separators=(",", ":"))
    )


def _key(service: str, collection: str | None) -> str:
    return f"db/{collection or '*'}" if service == "db" else "file"


@handles(m.DescribeServicePolicyRequest)
def describe_service_policy(
    ctx: Context, req: m.DescribeServicePolicyRequest
) -> m.DescribeServicePolicyResponse:
    """The rule of a service (and collection), or the default one."""
    policies = space_of(ctx, req.space_id).policies.policies
    record = (
        policies.get(_key(req.service_name, req.collection_name))
        or policies.get(_key(req.service_name, None))
        or _preset(DEFAULT_POLICY)
    )
    return m.DescribeServicePolicyResponse(
        request_id=ctx.request_id,
        space_id=req.space_id,
        service_name=req.service_name,
        collection_name=req.collection_name if req.service_name == "db" else None,
        policy_name=record.policy_name,
        policy=record.policy,
        http_status_code=HTTP_OK,
        success=True,
    )


@handles(m.UpdateServicePolicyRequest)
def update_service_policy(
    ctx: Context, req: m.UpdateServicePolicyRequest
) -> m.UpdateServicePolicyResponse:
    """Set a preset rule, or a custom one (``EXTENDED`` with ``Policy``)."""
    space = space_of(ctx, req.space_id)
    record = _requested(req)
    collection = req.collection_name if req.service_name == "db" else None
    space.policies.policies[_key(req.service_name, collection)] = record
    return m.UpdateServicePolicyResponse(
        request_id=ctx.request_id,
        space_id=req.space_id,
        service_name=req.service_name,
        collection_name=collection,
        policy_name=record.policy_name,
        policy=record.policy,
    )


def _requested(req: m.UpdateServicePolicyRequest) -> PolicyRecord:
    if req.service_name == "db":
        if not req.collection_name:
            raise invalid_param("CollectionName", "required when ServiceName is db")
        if not req.policy_name:
            raise invalid_param("PolicyName", "required when ServiceName is db")
    name = req.policy_name or ("EXTENDED" if req.policy else None)
    if name is None:
        raise invalid_param("PolicyName", "give PolicyName or Policy")
    if name != "EXTENDED":
        return _preset(name)
    return PolicyRecord(policy_name=name, policy=_custom_rule(req.policy))


def _custom_rule(text: str | None) -> str:
    if not text:
        raise invalid_param("Policy", "required when PolicyName is EXTENDED")
    try:
        rule = json.loads(text)
    except (ValueError, RecursionError):
        rule = None
    if not isinstance(rule, dict):
        raise invalid_param("Policy", "expected a JSON object")
    return text
