"""Open platform configurations: Alipay and WeChat saved by app id, DingTalk CRUD."""

from __future__ import annotations

import pytest

from aiompsls import models as m

PEM = "-----BEGIN CERTIFICATE----- MIIB -----END CERTIFICATE-----"


def _save_ant(space_id, app_id="2019", **kwargs):
    kwargs.setdefault("sign_mode", "PUBLIC_KEY")
    kwargs.setdefault("public_key", "MIIBIj")
    return m.SaveAntOpenPlatformConfigRequest(
        space_id=space_id, app_id=app_id, private_key="MIIEv", **kwargs
    )


def _secrets(call, space_id, platform=None):
    answer = call(m.ListOpenPlatformConfigRequest(space_id=space_id, platform=platform))
    return [(s.platform, s.app_id) for s in answer.secret_list]


def test_saved_configurations_are_listed_by_platform(call, space_id):
    call(_save_ant(space_id))
    call(
        m.SaveWechatOpenPlatformConfigRequest(
            space_id=space_id, app_id="wx", app_secret="s"
        )
    )
    assert _secrets(call, space_id) == [("Alipay", "2019"), ("Wechat", "wx")]
    assert _secrets(call, space_id, "Alipay") == [("Alipay", "2019")]
    assert _secrets(call, space_id, "Wechat") == [("Wechat", "wx")]
    answer = call(m.ListOpenPlatformConfigRequest(space_id=space_id, platform="Alipay"))
    (secret,) = answer.secret_list
    assert (secret.sign_mode, secret.public_key, secret.private_key) == (
        "PUBLIC_KEY",
        "MIIBIj",
        "MIIEv",
    )
    assert secret.space_id == space_id


def test_saving_again_replaces_the_configuration(call, space_id):
    call(_save_ant(space_id))
    call(
        _save_ant(
            space_id, sign_mode="CERT", app_cert=PEM, public_cert=PEM, root_cert=PEM
        )
    )
    answer = call(m.ListOpenPlatformConfigRequest(space_id=space_id))
    (secret,) = answer.secret_list
    assert (secret.sign_mode, secret.root_cert) == ("CERT", PEM)


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"public_key": None}, "PublicKey"),
        ({"sign_mode": "CERT", "app_cert": PEM, "public_cert": PEM}, "RootCert"),
        ({"sign_mode": "CERT", "root_cert": PEM, "public_cert": PEM}, "AppCert"),
    ],
)
def test_each_sign_mode_needs_its_keys(fails, space_id, kwargs, missing):
    error = fails(_save_ant(space_id, **kwargs), "InvalidParameter", 400)
    assert f"parameter {missing} " in error.message


@pytest.mark.parametrize(
    "request_type",
    [m.DeleteAntOpenPlatformConfigRequest, m.DeleteWechatOpenPlatformConfigRequest],
)
def test_deleting_removes_and_then_is_not_found(call, fails, space_id, request_type):
    call(_save_ant(space_id))
    call(
        m.SaveWechatOpenPlatformConfigRequest(
            space_id=space_id, app_id="2019", app_secret="s"
        )
    )
    call(request_type(space_id=space_id, app_id="2019"))
    assert len(_secrets(call, space_id)) == 1
    error = fails(
        request_type(space_id=space_id, app_id="2019"), "InvalidAppId.NotFound", 404
    )
    assert "'2019'" in error.message


def _dingtalk(call, space_id):
    answer = call(m.ListDingtalkOpenPlatformConfigsRequest(space_id=space_id))
    return [
        (c.app_id, c.app_secret, c.create_time, c.update_time) for c in answer.configs
    ]


def test_dingtalk_configurations_are_added_updated_and_deleted(call, ctx, space_id):
    add = m.AddDingtalkOpenPlatformConfigRequest(
        space_id=space_id, app_id="ding", app_secret="a"
    )
    call(add)
    created = "2024-05-06T07:08:09Z"
    assert _dingtalk(call, space_id) == [("ding", "a", created, created)]
    ctx.now = ctx.now.replace(hour=9)
    call(
        m.UpdateDingtalkOpenPlatformConfigRequest(
            space_id=space_id, app_id="ding", app_secret="b"
        )
    )
    assert _dingtalk(call, space_id) == [("ding", "b", created, "2024-05-06T09:08:09Z")]
    call(m.DeleteDingtalkOpenPlatformConfigRequest(space_id=space_id, app_id="ding"))
    assert _dingtalk(call, space_id) == []


def test_dingtalk_conflicts_and_unknown_app_ids(call, fails, space_id):
    add = m.AddDingtalkOpenPlatformConfigRequest(
        space_id=space_id, app_id="ding", app_secret="a"
    )
    call(add)
    fails(add, "DingtalkOpenPlatformConfig.AlreadyExists", 409)
    for request in (
        m.UpdateDingtalkOpenPlatformConfigRequest(
            space_id=space_id, app_id="x", app_secret="b"
        ),
        m.DeleteDingtalkOpenPlatformConfigRequest(space_id=space_id, app_id="x"),
    ):
        fails(request, "InvalidAppId.NotFound", 404)
