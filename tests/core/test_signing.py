"""Tests for aiompsls._core.signing: vendor golden vectors, rules and properties.

Golden values live in tests/core/vectors/*.json; each vector names its vendor source
(documentation page or SDK test file and test name) in its "source" field.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiompsls._core.signing import (
    ACS3_HMAC_SHA256,
    Acs3Authorization,
    acs3_authorization,
    acs3_canonical_request,
    acs3_signature,
    acs3_string_to_sign,
    canonical_query,
    parse_acs3_authorization,
    percent_encode,
    sha256_hex,
    sign_v1_params,
    v1_signature,
    v1_string_to_sign,
    v1_string_to_sign_from_query,
)

_VECTORS = pathlib.Path(__file__).parent / "vectors"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_VECTORS / name).read_text(encoding="utf-8"))
    return loaded


V1 = _load("rpc_v1_signatures.json")
ACS3 = _load("acs3_signatures.json")


def _vector(vectors: list[dict[str, Any]], vector_id: str) -> dict[str, Any]:
    return next(v for v in vectors if v["id"] == vector_id)


def _cases(vectors: list[dict[str, Any]], *keys: str) -> list[Any]:
    chosen = [v for v in vectors if all(key in v for key in keys)]
    return [pytest.param(v, id=v["id"]) for v in chosen]


# --- percent encoding and canonical query ---------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        # darabonba-openapi-util golang/service/service_test.go Test_GetEncodeParam.
        ("a/b/c/ test", "a%2Fb%2Fc%2F%20test"),
        # ECS "Request signatures" doc: the Timestamp inside the canonical query.
        ("2016-02-23T12:46:24Z", "2016-02-23T12%3A46%3A24Z"),
        # Spec "signature" steps 1.2: unreserved kept, '"' -> %22, space -> %20 not +.
        ("AZaz09-_.~", "AZaz09-_.~"),
        ('"', "%22"),
        (" ", "%20"),
        # V3 document encoding table: '*' -> %2A.
        ("*", "%2A"),
        # Spec steps 1.2: extended UTF-8 characters become %XY%ZA... (UTF-8 of U+4E2D).
        ("\u4e2d", "%E4%B8%AD"),
        ("", ""),
    ],
)
def test_percent_encode_follows_the_documented_rfc3986_rules(
    raw: str, encoded: str
) -> None:
    assert percent_encode(raw) == encoded


def test_canonical_query_matches_openapi_util_vector() -> None:
    # darabonba-openapi-util python/tests/test_client.py
    # test_get_canonical_query_string.
    assert canonical_query({"test": " ~/*-+"}) == "test=%20~%2F%2A-%2B"


def test_canonical_query_sorts_keys_by_code_point_and_keeps_empty_values() -> None:
    # Spec steps 1.1 (dictionary order, upper case before lower case) and the
    # SDKs' "SignatureType=" (see the aliyunsdkcore vectors).
    params = {"b": "2", "a": "1", "B": "", "Action": "x"}
    assert canonical_query(params) == "Action=x&B=&a=1&b=2"


def test_canonical_query_of_no_parameters_is_empty() -> None:
    assert canonical_query({}) == ""


@given(st.text())
def test_percent_encode_round_trips_through_unquote(text: str) -> None:
    assert unquote(percent_encode(text), errors="strict") == text


@given(st.text())
def test_percent_encode_emits_only_unreserved_chars_and_upper_hex_escapes(
    text: str,
) -> None:
    assert re.fullmatch(r"(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*", percent_encode(text))


@given(st.data())
def test_canonical_query_does_not_depend_on_input_order(data: Any) -> None:
    params = data.draw(st.dictionaries(st.text(), st.text(), max_size=8))
    shuffled = data.draw(st.permutations(list(params.items())))
    assert canonical_query(dict(shuffled)) == canonical_query(params)


# --- signature v1 ---------------------------------------------------------------------


@pytest.mark.parametrize("vector", _cases(V1["vectors"]))
def test_v1_signature_matches_vendor_vector(vector: dict[str, Any]) -> None:
    # Sources: each vector's "source" in vectors/rpc_v1_signatures.json (ECS doc,
    # aliyun-python-sdk-core, alibaba-cloud-sdk-go, darabonba-openapi-util tests).
    signature = sign_v1_params(
        vector["params"],
        method=vector["method"],
        access_key_secret=vector["access_key_secret"],
    )
    assert signature == vector["signature"]


@pytest.mark.parametrize(
    "vector",
    _cases(V1["vectors"], "string_to_sign") + _cases(V1["string_to_sign_vectors"]),
)
def test_v1_string_to_sign_matches_vendor_vector(vector: dict[str, Any]) -> None:
    # Sources: ECS doc, alibaba-cloud-sdk-go buildRpcStringToSign test,
    # aliyun-java-sdk-core RpcSignatureComposerTest (see each vector's "source").
    assert (
        v1_string_to_sign(vector["method"], vector["params"])
        == (vector["string_to_sign"])
    )


@pytest.mark.parametrize("vector", _cases(V1["vectors"], "string_to_sign"))
def test_v1_signature_of_vendor_string_to_sign_matches(vector: dict[str, Any]) -> None:
    # ECS doc: HMAC-SHA1 with key "testsecret&" over the printed string-to-sign.
    signature = v1_signature(vector["access_key_secret"], vector["string_to_sign"])
    assert signature == vector["signature"]


# The seed document (spec key "signature.doc_example"): the ECS parameters with
# Action renamed to DescribeSpace, decoded from its half-encoded URL.
SEED_DOC_PARAMS = {
    "Timestamp": "2016-02-23T12:46:24Z",
    "Format": "XML",
    "AccessKeyId": "testid",
    "Action": "DescribeSpace",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Version": "2014-05-26",
    "SignatureVersion": "1.0",
}


def test_seed_doc_describespace_signs_to_corrected_value_not_the_claimed_one() -> None:
    # DESIGN.md section 4 and errors_and_oss.md section 0: the seed document's
    # expected OLeaid... belongs to DescribeRegions; its own inputs give FUW8....
    signature = sign_v1_params(
        SEED_DOC_PARAMS, method="GET", access_key_secret="testsecret"
    )
    assert signature == "FUW8A2glAqGMG3CL+9VwHyj9kf0="
    assert signature != "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_v1_string_to_sign_leaves_out_the_signature_parameter() -> None:
    # Go SDK signRpcRequest deletes Signature before re-signing ("remove while retry").
    vector = _vector(V1["vectors"], "ecs-doc-describeregions")
    params = {**vector["params"], "Signature": "OLeaidS1JvxuMvnyHOwuJ+uX5qY="}
    assert v1_string_to_sign("GET", params) == vector["string_to_sign"]


# --- ACS3-HMAC-SHA256 ----------------------------------------------------------------


def _canonical_request(vector: dict[str, Any]) -> str:
    return acs3_canonical_request(
        method=vector["method"],
        path=vector["path"],
        query=vector["query"],
        headers=vector["headers"],
        signed_headers=vector["signed_headers"],
        payload_hash=vector["payload_hash"],
    )


@pytest.mark.parametrize("vector", _cases(ACS3["vectors"]))
def test_acs3_authorization_matches_vendor_vector(vector: dict[str, Any]) -> None:
    # Sources: V3 signature document example; darabonba-openapi-util Go
    # Test_GetAuthorization (see each vector's "source").
    string_to_sign = acs3_string_to_sign(_canonical_request(vector))
    signature = acs3_signature(vector["access_key_secret"], string_to_sign)
    authorization = acs3_authorization(
        access_key_id=vector["access_key_id"],
        signed_headers=vector["signed_headers"],
        signature=signature,
    )
    assert authorization == vector["authorization"]


@pytest.mark.parametrize("vector", _cases(ACS3["vectors"], "canonical_request"))
def test_acs3_each_stage_matches_the_v3_document_example(
    vector: dict[str, Any],
) -> None:
    # V3 signature document, "Fixed parameter values", steps 1 to 3.
    canonical = _canonical_request(vector)
    assert canonical == vector["canonical_request"]
    assert acs3_string_to_sign(canonical) == vector["string_to_sign"]
    signature = acs3_signature(vector["access_key_secret"], vector["string_to_sign"])
    assert signature == vector["signature"]


@pytest.mark.parametrize("vector", _cases(ACS3["stage_vectors"]))
def test_acs3_later_stages_match_vendor_vector_from_its_canonical_request(
    vector: dict[str, Any],
) -> None:
    # darabonba-openapi-util python and ts test_get_authorization (see "source").
    string_to_sign = acs3_string_to_sign(vector["canonical_request"])
    authorization = acs3_authorization(
        access_key_id=vector["access_key_id"],
        signed_headers=vector["signed_headers"],
        signature=acs3_signature(vector["access_key_secret"], string_to_sign),
    )
    assert authorization == vector["authorization"]


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        # V3 document, HashedRequestPayload "sample value when the body is empty".
        (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        # darabonba-openapi-util python/tests/test_client.py test_hex_encode.
        (b"test", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ],
)
def test_sha256_hex_matches_vendor_values(data: bytes, digest: str) -> None:
    assert sha256_hex(data) == digest


def test_acs3_signed_headers_are_lowercased_sorted_deduplicated_and_trimmed() -> None:
    canonical = acs3_canonical_request(
        method="POST",
        path="/",
        query={},
        headers={"Host": "  h.example  ", "X-Acs-Version": "2019-06-15", "other": "x"},
        signed_headers=["x-acs-version", "HOST", "host"],
        payload_hash="p",
    )
    expected = (
        "POST\n/\n\nhost:h.example\nx-acs-version:2019-06-15\n\nhost;x-acs-version\np"
    )
    assert canonical == expected


def test_acs3_signed_header_missing_from_request_gets_an_empty_value() -> None:
    canonical = acs3_canonical_request(
        method="GET",
        path="/",
        query={"a": "b"},
        headers={},
        signed_headers=["x-acs-date"],
        payload_hash="p",
    )
    assert canonical == "GET\n/\na=b\nx-acs-date:\n\nx-acs-date\np"


def test_acs3_authorization_lists_header_names_as_the_canonical_request_does() -> None:
    header = acs3_authorization(
        access_key_id="ak", signed_headers=["X-Acs-Date", "host", "HOST"], signature="s"
    )
    assert (
        header
        == "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-date,Signature=s"
    )


# --- parsing the Authorization header -------------------------------------------------


def test_parse_acs3_authorization_reads_the_v3_document_header() -> None:
    vector = _vector(ACS3["vectors"], "v3-doc-runinstances")
    parsed = parse_acs3_authorization(vector["authorization"])
    assert parsed == Acs3Authorization(
        algorithm=ACS3_HMAC_SHA256,
        credential="YourAccessKeyId",
        signed_headers=tuple(vector["signed_headers"]),
        signature=vector["signature"],
    )


def test_parse_acs3_authorization_tolerates_spaces_around_components() -> None:
    parsed = parse_acs3_authorization(
        "  ACS3-HMAC-SHA256 Credential=ak, SignedHeaders=host ;x-acs-date ,"
        " Signature=ab "
    )
    assert parsed.credential == "ak"
    assert parsed.signed_headers == ("host", "x-acs-date")
    assert parsed.signature == "ab"


_HEADER_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,15}", fullmatch=True)


@given(
    access_key_id=st.from_regex(r"[A-Za-z0-9.]{1,24}", fullmatch=True),
    names=st.lists(_HEADER_NAME, min_size=1, max_size=6),
    signature=st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
)
def test_parse_acs3_authorization_round_trips_acs3_authorization(
    access_key_id: str, names: list[str], signature: str
) -> None:
    header = acs3_authorization(
        access_key_id=access_key_id, signed_headers=names, signature=signature
    )
    assert parse_acs3_authorization(header) == Acs3Authorization(
        algorithm=ACS3_HMAC_SHA256,
        credential=access_key_id,
        signed_headers=tuple(sorted({name.lower() for name in names})),
        signature=signature,
    )


_GOOD = "Credential=ak,SignedHeaders=host,Signature=ab"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "not an ACS3"),
        ("OSS ak:c2lnbmF0dXJl", "not an ACS3"),
        (f"Bearer {_GOOD}", "not an ACS3"),
        ("ACS3-HMAC-SHA256", "lacks Credential, SignedHeaders, Signature"),
        ("ACS3-HMAC-SHA256   ", "lacks Credential, SignedHeaders, Signature"),
        ("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host", "lacks Signature"),
        ("ACS3-HMAC-SHA256 Credential=ak", "lacks SignedHeaders, Signature"),
        (f"ACS3-HMAC-SHA256 {_GOOD},Signature=cd", "duplicate .*'Signature'"),
        (f"ACS3-HMAC-SHA256 {_GOOD},Region=x", "unexpected .*'Region=x'"),
        ("ACS3-HMAC-SHA256 Credential=ak;SignedHeaders=host", "lacks SignedHeaders"),
        (f"ACS3-HMAC-SHA256 {_GOOD},", "unexpected .*''"),
        ("ACS3-HMAC-SHA256 Credential,SignedHeaders=host,Signature=ab", "unexpected"),
        ("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab", "empty"),
        ("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature= ", "empty"),
        (
            "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;;date,Signature=ab",
            "name",
        ),
        ("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;,Signature=ab", "name"),
    ],
)
def test_parse_acs3_authorization_rejects_malformed_headers(
    header: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_acs3_authorization(header)


@given(
    st.dictionaries(st.text(min_size=1), st.text()), st.sampled_from(["GET", "POST"])
)
def test_string_to_sign_from_a_canonical_query_equals_the_general_form(params, method):
    canonical = canonical_query(params)
    assert v1_string_to_sign_from_query(method, canonical) == (
        f"{method}&%2F&{percent_encode(canonical)}"
    )
