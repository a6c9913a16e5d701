"""The POP gateway's own error answers: codes, HTTP statuses and messages.

Statuses and message texts follow research/errors_and_oss.md §A.2. The emulator raises
these as :class:`~aiompsls.emulator._registry.EmulatedError`, exactly like a handler's
service errors, so one renderer answers both.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from aiompsls.emulator._registry import EmulatedError

#: The only API version the emulator (and the service) answers.
API_VERSION: Final = "2019-06-15"
#: How far a request's timestamp may be from the server's clock, either way.
MAX_CLOCK_SKEW: Final = timedelta(minutes=15)
#: The prefix the gateway puts before its own string-to-sign in the message.
STRING_TO_SIGN_PREFIX: Final = " server string to sign is:"

#: Code -> (HTTP status, message) of the gateway errors the emulator answers with.
GATEWAY_ERRORS: Final[dict[str, tuple[int, str]]] = {
    "IncompleteSignature": (
        400,
        "The request signature does not conform to Aliyun standards.",
    ),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidAction.NotFound": (
        404,
        "Specified api is not found, please check your url and method.",
    ),
    "InvalidParameter.Format": (400, "Specified parameter format is not valid."),
    "InvalidSecurityToken.MismatchWithAccessKey": (
        400,
        "Specified SecurityToken mismatch with the AccessKey.",
    ),
    "InvalidSignatureMethod": (400, "Specified signature method is not valid."),
    "InvalidTimeStamp.Expired": (
        400,
        "Specified time stamp or date value is expired.",
    ),
    "InvalidTimeStamp.Format": (
        400,
        "Specified time stamp or date value is not well formatted.",
    ),
    "InvalidVersion": (400, "Specified parameter Version is not valid."),
    "MissingSecurityToken": (
        400,
        "The SecurityToken of the temporary credential is mandatory for this "
        "AccessKey.",
    ),
    "SignatureDoesNotMatch": (
        400,
        "Specified signature is not matched with our calculation.",
    ),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "UnsupportedHTTPMethod": (400, "This http method not supported."),
    "InternalError": (
        500,
        "The request processing has failed due to some unknown error, exception "
        "or failure.",
    ),
}


def gateway_error(code: str, *, detail: str = "") -> EmulatedError:
    """The gateway's answer ``code`` with its documented status and message.

    Args:
        code: A key of :data:`GATEWAY_ERRORS`.
        detail: Text appended to the documented message (after a space).

    Returns:
        The error to raise.
    """
    status, message = GATEWAY_ERRORS[code]
    return EmulatedError(
        code, f"{message} {detail}" if detail else message, status=status
    )


def signature_mismatch(string_to_sign: str) -> EmulatedError:
    """``SignatureDoesNotMatch`` carrying the server's string-to-sign.

    The message ends with ``server string to sign is:<sts>``, which aliyunsdkcore
    splits on ``:`` to tell a wrong secret from a wrong canonicalisation.

    Args:
        string_to_sign: What the emulator signed.

    Returns:
        The error to raise.
    """
    status, message = GATEWAY_ERRORS["SignatureDoesNotMatch"]
    return EmulatedError(
        "SignatureDoesNotMatch",
        f"{message}{STRING_TO_SIGN_PREFIX}{string_to_sign}",
        status=status,
    )


def missing_parameter(name: str) -> EmulatedError:
    """``MissingParameter`` (400) for an absent common parameter or header.

    Args:
        name: The parameter (or ``x-acs-*`` header) that is missing.

    Returns:
        The error to raise.
    """
    return EmulatedError(
        "MissingParameter",
        f'The input parameter "{name}" that is mandatory for processing this '
        "request is not supplied.",
        status=400,
    )
