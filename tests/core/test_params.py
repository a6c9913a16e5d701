"""Request parameters: encoding a model to the wire and decoding raw values back."""

from __future__ import annotations

import attrs
import pytest

from aiompsls import models as m
from aiompsls._core.operations import OPERATIONS
from aiompsls._core.params import ParamError, decode_params, encode_params


def test_encode_leaves_out_unset_values_and_uses_wire_names():
    request = m.ListFunctionRequest(space_id="s1", page_size=5)
    assert encode_params(request) == {"SpaceId": "s1", "PageSize": "5"}


def test_encode_booleans_and_repeat_lists():
    """FilePaths.N and EnableService as documented in sections 14 and 15."""
    request = m.BatchDeleteWebHostingFilesRequest(
        space_id="s", file_paths=["/static/test.png", "/test.html"]
    )
    assert encode_params(request) == {
        "SpaceId": "s",
        "FilePaths.1": "/static/test.png",
        "FilePaths.2": "/test.html",
    }
    trigger = m.UpdateHttpTriggerConfigRequest(space_id="s", enable_service=False)
    assert encode_params(trigger)["EnableService"] == "false"


def test_decode_round_trips_encode():
    request = m.UpdateFunctionRequest(
        name="fn", space_id="s", memory=256, timeout=5, instance_concurrency=2
    )
    operation = OPERATIONS["UpdateFunction"]
    assert decode_params(operation, encode_params(request)) == request


def test_decode_ignores_common_parameters():
    raw = {"SpaceId": "s", "Action": "DeleteSpace", "Signature": "x"}
    assert decode_params(OPERATIONS["DeleteSpace"], raw) == m.DeleteSpaceRequest(
        space_id="s"
    )


def _error(action: str, raw: dict[str, str], *, check: bool = True) -> ParamError:
    with pytest.raises(ParamError) as info:
        decode_params(OPERATIONS[action], raw, check=check)
    return info.value


def test_missing_parameter_uses_the_gateway_message():
    error = _error("DeleteSpace", {})
    assert (error.code, error.param) == ("MissingParameter", "SpaceId")
    assert str(error) == (
        'The input parameter "SpaceId" that is mandatory for processing this '
        "request is not supplied."
    )


@pytest.mark.parametrize(
    ("action", "raw", "param", "why"),
    [
        ("UpdateFunction", {"Memory": "100"}, "Memory", "at least 128"),
        ("UpdateFunction", {"Memory": "4096"}, "Memory", "at most 3072"),
        ("UpdateFunction", {"Memory": "200"}, "Memory", "multiple of 64"),
        ("UpdateFunction", {"Timeout": "ten"}, "Timeout", "expected an integer"),
        ("UpdateFunction", {"HttpTriggerPath": "/api/x"}, "HttpTriggerPath", "match"),
        (
            "UpdateFunction",
            {"HttpTriggerPath": "/http" + "a" * 130},
            "HttpTriggerPath",
            "128",
        ),
        (
            "UpdateFunction",
            {"Runtime": "python3"},
            "Runtime",
            "one of nodejs8, nodejs12",
        ),
        ("CreateSpace", {"Name": "1abc"}, "Name", "match"),
        ("RunDBCommand", {"Body": "{oops"}, "Body", "not valid JSON"),
        ("RunDBCommand", {"Body": "[" * 100_000}, "Body", "nests too deeply"),
        ("DeleteFile", {"Id": ",".join(["x"] * 51)}, "Id", "at most 50"),
        (
            "UpdateHttpTriggerConfig",
            {"EnableService": "yes"},
            "EnableService",
            "true or false",
        ),
    ],
)
def test_invalid_parameters_name_the_rule(action, raw, param, why):
    base = {
        "Name": "fn",
        "SpaceId": "s",
        "Body": "{}",
        "Id": "a",
        "EnableService": "true",
    }
    error = _error(action, {**base, **raw})
    assert (error.code, error.param) == ("InvalidParameter", param)
    assert why in str(error)


def test_repeat_list_limits():
    files = {f"FilePaths.{i}": f"/f{i}" for i in range(1, 4)}
    request = decode_params(
        OPERATIONS["BatchDeleteWebHostingFiles"], {"SpaceId": "s", **files}
    )
    assert isinstance(request, m.BatchDeleteWebHostingFilesRequest)
    assert request.file_paths == ["/f1", "/f2", "/f3"]
    assert _error("BatchDeleteWebHostingFiles", {"SpaceId": "s"}).param == "FilePaths"


def test_unchecked_decoding_keeps_types_but_skips_rules():
    raw = {"Name": "fn", "SpaceId": "s", "Memory": "100"}
    request = decode_params(OPERATIONS["UpdateFunction"], raw, check=False)
    assert isinstance(request, m.UpdateFunctionRequest)
    assert request.memory == 100
    assert (
        _error("UpdateFunction", {**raw, "Memory": "x"}, check=False).param == "Memory"
    )


def test_a_repeat_list_with_an_item_limit():
    """No documented list parameter has a limit yet; the rule still holds."""
    base = OPERATIONS["BatchDeleteWebHostingFiles"]
    limited = attrs.evolve(
        base,
        params=tuple(
            attrs.evolve(p, max_items=2) if p.type == "list" else p for p in base.params
        ),
    )
    raw = {
        "SpaceId": "s",
        "FilePaths.1": "/a",
        "FilePaths.2": "/b",
        "FilePaths.3": "/c",
    }
    with pytest.raises(ParamError, match="at most 2 items"):
        decode_params(limited, raw)
