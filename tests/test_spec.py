"""The package's spec transcribes the API reference's catalogue faithfully."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aiompsls._codegen.spec import load
from aiompsls._core.operations import OPERATIONS, PAGINATORS, WAITERS

CATALOGUE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "spec"
    / "mpserverless-2019-06-15.json"
)
DOC_TYPES = {
    "String": "string",
    "Integer": "integer",
    "Long": "integer",
    "Boolean": "boolean",
    "RepeatList": "list",
}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, Any]]:
    if not CATALOGUE.is_file():
        pytest.skip("shared/spec is not beside this checkout")
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {a["name"]: a for a in data["actions"]}


def test_all_72_actions_are_transcribed(catalogue):
    assert sorted(OPERATIONS) == sorted(catalogue)
    assert len(OPERATIONS) == 72


def test_parameters_match_the_reference(catalogue):
    spec = load()
    for action in spec.actions:
        documented = {
            p["name"].removesuffix(".N"): p for p in catalogue[action.name]["request"]
        }
        assert {p.name for p in action.params} == set(documented), action.name
        for param in action.params:
            doc = documented[param.name]
            assert param.required == doc["required"], (action.name, param.name)
            assert param.type in {DOC_TYPES[doc["type"]], "integer"}, (
                action.name,
                param.name,
            )
            if "allowed_values" in doc and param.type != "boolean":
                assert param.enum == tuple(doc["allowed_values"])


def test_documented_response_fields_are_all_modelled(catalogue):
    spec = load()
    for action in spec.actions:
        paths = {row["path"] for row in catalogue[action.name]["response"]}
        modelled = set(_paths(action.fields, ""))
        assert paths <= modelled, (action.name, paths - modelled)


def _paths(fields, prefix):
    for field in fields:
        path = prefix + field.wire
        yield path
        child_prefix = path + ("[]." if field.type == "list" else ".")
        yield from _paths(field.children, child_prefix)


def test_every_paged_list_action_has_a_paginator():
    paged = {
        name
        for name, op in OPERATIONS.items()
        if {"PageNum", "PageNumber", "Marker"} & {p.name for p in op.params}
    }
    assert paged == set(PAGINATORS)


def test_waiters_cover_tasks_deployments_and_hosting():
    assert {w.action for w in WAITERS.values()} == {
        "QueryDBExportTaskStatus",
        "QueryDBImportTaskStatus",
        "QueryDBRestoreTaskStatus",
        "ListFunctionDeployment",
        "GetWebHostingStatus",
    }


@pytest.mark.parametrize(
    ("prefix", "idempotent"),
    [
        ("Create", False),
        ("Run", False),
        ("Add", False),
        ("Deploy", False),
        ("Delete", False),
    ],
)
def test_mutating_actions_are_not_idempotent(prefix: str, idempotent: bool):
    for name, op in OPERATIONS.items():
        if name.startswith(prefix):
            assert op.idempotent is idempotent, name
            assert op.readonly is False, name


def test_readonly_actions_are_idempotent():
    for name, op in OPERATIONS.items():
        if op.readonly:
            assert op.idempotent, name
            assert name.startswith(("List", "Describe", "Query", "Get")), name
