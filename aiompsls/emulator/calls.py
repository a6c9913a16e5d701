"""The values request verification works on: accepted keys, inbound calls, results.

Plain attrs value objects shared by :mod:`.auth` (which verifies a :class:`SignedCall`)
and :mod:`.app` (which reads one from an aiohttp request).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs
from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ["KeyPair", "SignedCall", "Verified"]


@attrs.frozen(kw_only=True)
class KeyPair:
    """An AccessKey the emulator accepts; ``security_token`` makes it an STS key.

    Attributes:
        access_key_id: The AccessKey id.
        access_key_secret: Its secret (never printed).
        security_token: When set, every request must carry exactly this token.
    """

    access_key_id: str
    access_key_secret: str = attrs.field(repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)


def _ci_headers(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(value))


@attrs.frozen(kw_only=True)
class SignedCall:
    """An inbound request as the verifier sees it (values already percent-decoded).

    Attributes:
        method: The HTTP method as sent.
        path: The raw request path (``/`` for the RPC API).
        query: The URL query parameters.
        form: The form-body parameters.
        headers: The request headers; lookups ignore case; repeats are kept.
        body: The raw body bytes.
    """

    method: str
    path: str = "/"
    query: Mapping[str, str] = attrs.Factory(dict)
    form: Mapping[str, str] = attrs.Factory(dict)
    headers: CIMultiDictProxy[str] = attrs.field(
        factory=lambda: _ci_headers({}), converter=_ci_headers
    )
    body: bytes = b""

    @property
    def params(self) -> dict[str, str]:
        """Query and form parameters together; the form wins a clash (as SDKs sign)."""
        return {**self.query, **self.form}

    @property
    def is_acs3(self) -> bool:
        """Whether an ``Authorization: ACS3-...`` header asks for ACS3 verification."""
        return self.headers.get("authorization", "").lstrip().startswith("ACS3-")


@attrs.frozen(kw_only=True)
class Verified:
    """What a verified request asks for.

    Attributes:
        style: ``v1`` or ``acs3``.
        access_key_id: The caller's AccessKey id.
        action: The requested action (not yet checked against the spec).
        version: The requested API version (not yet checked).
        params: Every query and form parameter.
    """

    style: Literal["v1", "acs3"]
    access_key_id: str
    action: str
    version: str
    params: Mapping[str, str]
