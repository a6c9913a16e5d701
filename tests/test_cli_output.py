"""How the CLI reports an error on stderr: code, message, request id, denial detail."""

from __future__ import annotations

import pytest

from aiompsls import errors as e
from aiompsls.cli._output import report_error


def test_a_ram_denial_shows_its_detail(capsys: pytest.CaptureFixture[str]) -> None:
    denied = e.PermissionDeniedError(
        "User not authorized to operate on the specified resource.",
        code="Forbidden.RAM",
        request_id="E031AABF-BD56-5966-A063-4283EF18DB45",
        access_denied_detail={
            "AuthAction": "mpserverless:DeleteSpace",
            "NoPermissionType": "ImplicitDeny",
        },
    )
    assert report_error(denied) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: Forbidden.RAM: User not authorized to operate on the specified"
        " resource.",
        "request id: E031AABF-BD56-5966-A063-4283EF18DB45",
        "access denied: AuthAction=mpserverless:DeleteSpace,"
        " NoPermissionType=ImplicitDeny",
    ]


def test_other_errors_have_no_detail_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert report_error(e.ThrottlingError("slow down", code="Throttling.User")) == 1
    assert capsys.readouterr().err == "error: Throttling.User: slow down\n"
