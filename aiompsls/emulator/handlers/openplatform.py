"""Handlers of the open platform configuration actions (section 12 of the reference).

Alipay (Ant) and WeChat configurations are saved (created or replaced) by app id;
DingTalk ones are added (conflict when the app id exists), updated and deleted
(unknown app ids are not found).
"""

from __future__ import annotations

from typing import TypeVar

from aiompsls import models as m
from aiompsls.emulator._registry import Context, handles
from aiompsls.emulator.handlers._common import (
    HTTP_OK,
    OK,
    already_exists,
    invalid_param,
    iso_s,
    not_found,
    now_ms,
    space_of,
)
from aiompsls.emulator.records import AntConfig, SecretConfig

V = TypeVar("V")

# Which optional parameters each SignMode needs.
SIGN_MODE_NEEDS = {
    "PUBLIC_KEY": ("PublicKey",),
    "CERT": ("AppCert", "PublicCert", "RootCert"),
}


@handles(m.SaveAntOpenPlatformConfigRequest)
def save_ant_open_platform_config(
    ctx: Context, req: m.SaveAntOpenPlatformConfigRequest
) -> m.SaveAntOpenPlatformConfigResponse:
    """Create or replace an Alipay configuration."""
    space = space_of(ctx, req.space_id)
    given = {
        "PublicKey": req.public_key,
        "AppCert": req.app_cert,
        "PublicCert": req.public_cert,
        "RootCert": req.root_cert,
    }
    for name in SIGN_MODE_NEEDS[req.sign_mode]:
        if not given[name]:
            raise invalid_param(name, f"required when SignMode is {req.sign_mode}")
    space.open_platform.ant[req.app_id] = AntConfig(
        app_id=req.app_id,
        private_key=req.private_key,
        sign_mode=req.sign_mode,
        public_key=req.public_key,
        app_cert=req.app_cert,
        public_cert=req.public_cert,
        root_cert=req.root_cert,
    )
    return m.SaveAntOpenPlatformConfigResponse(request_id=ctx.request_id)


def _remove(configs: dict[str, V], app_id: str, label: str) -> None:
    if configs.pop(app_id, None) is None:
        raise not_found("AppId", f"{label} configuration of app", app_id)


@handles(m.DeleteAntOpenPlatformConfigRequest)
def delete_ant_open_platform_config(
    ctx: Context, req: m.DeleteAntOpenPlatformConfigRequest
) -> m.DeleteAntOpenPlatformConfigResponse:
    """Delete an Alipay configuration."""
    space = space_of(ctx, req.space_id)
    _remove(space.open_platform.ant, req.app_id, "Alipay")
    return m.DeleteAntOpenPlatformConfigResponse(request_id=ctx.request_id)


@handles(m.SaveWechatOpenPlatformConfigRequest)
def save_wechat_open_platform_config(
    ctx: Context, req: m.SaveWechatOpenPlatformConfigRequest
) -> m.SaveWechatOpenPlatformConfigResponse:
    """Create or replace a WeChat configuration."""
    configs = space_of(ctx, req.space_id).open_platform.wechat
    moment = now_ms(ctx)
    old = configs.get(req.app_id)
    configs[req.app_id] = SecretConfig(
        app_id=req.app_id,
        app_secret=req.app_secret,
        created_ms=old.created_ms if old else moment,
        updated_ms=moment,
    )
    return m.SaveWechatOpenPlatformConfigResponse(request_id=ctx.request_id)


@handles(m.DeleteWechatOpenPlatformConfigRequest)
def delete_wechat_open_platform_config(
    ctx: Context, req: m.DeleteWechatOpenPlatformConfigRequest
) -> m.DeleteWechatOpenPlatformConfigResponse:
    """Delete a WeChat configuration."""
    space = space_of(ctx, req.space_id)
    _remove(space.open_platform.wechat, req.app_id, "WeChat")
    return m.DeleteWechatOpenPlatformConfigResponse(request_id=ctx.request_id)


@handles(m.ListOpenPlatformConfigRequest)
def list_open_platform_config(
    ctx: Context, req: m.ListOpenPlatformConfigRequest
) -> m.ListOpenPlatformConfigResponse:
    """The Alipay and WeChat configurations, or those of one ``Platform``."""
    store = space_of(ctx, req.space_id).open_platform
    secrets: list[m.ListOpenPlatformConfigSecretList] = []
    if req.platform in (None, "Alipay"):
        secrets += [_ant_item(req.space_id, c) for c in store.ant.values()]
    if req.platform in (None, "Wechat"):
        secrets += [_wechat_item(req.space_id, c) for c in store.wechat.values()]
    return m.ListOpenPlatformConfigResponse(
        request_id=ctx.request_id,
        secret_list=tuple(secrets),
        http_status_code=HTTP_OK,
        success=True,
        code=OK,
    )


def _ant_item(space_id: str, config: AntConfig) -> m.ListOpenPlatformConfigSecretList:
    return m.ListOpenPlatformConfigSecretList(
        platform="Alipay",
        space_id=space_id,
        app_id=config.app_id,
        private_key=config.private_key,
        sign_mode=config.sign_mode,
        public_key=config.public_key,
        app_cert=config.app_cert,
        public_cert=config.public_cert,
        root_cert=config.root_cert,
    )


def _wechat_item(
    space_id: str, config: SecretConfig
) -> m.ListOpenPlatformConfigSecretList:
    return m.ListOpenPlatformConfigSecretList(
        platform="Wechat",
        space_id=space_id,
        app_id=config.app_id,
        app_secret=config.app_secret,
    )


@handles(m.ListDingtalkOpenPlatformConfigsRequest)
def list_dingtalk_open_platform_configs(
    ctx: Context, req: m.ListDingtalkOpenPlatformConfigsRequest
) -> m.ListDingtalkOpenPlatformConfigsResponse:
    """The DingTalk configurations in the order they were added."""
    configs = space_of(ctx, req.space_id).open_platform.dingtalk.values()
    return m.ListDingtalkOpenPlatformConfigsResponse(
        request_id=ctx.request_id,
        configs=tuple(
            m.ListDingtalkOpenPlatformConfigsConfigs(
                app_id=config.app_id,
                app_secret=config.app_secret,
                create_time=iso_s(config.created_ms),
                update_time=iso_s(config.updated_ms),
            )
            for config in configs
        ),
        http_status_code=HTTP_OK,
        code=OK,
        success=True,
    )


@handles(m.AddDingtalkOpenPlatformConfigRequest)
def add_dingtalk_open_platform_config(
    ctx: Context, req: m.AddDingtalkOpenPlatformConfigRequest
) -> m.AddDingtalkOpenPlatformConfigResponse:
    """Add a DingTalk configuration; the app id must be new."""
    configs = space_of(ctx, req.space_id).open_platform.dingtalk
    if req.app_id in configs:
        raise already_exists(
            "DingtalkOpenPlatformConfig", "DingTalk configuration of app", req.app_id
        )
    moment = now_ms(ctx)
    configs[req.app_id] = SecretConfig(
        app_id=req.app_id,
        app_secret=req.app_secret,
        created_ms=moment,
        updated_ms=moment,
    )
    return m.AddDingtalkOpenPlatformConfigResponse(request_id=ctx.request_id)


@handles(m.UpdateDingtalkOpenPlatformConfigRequest)
def update_dingtalk_open_platform_config(
    ctx: Context, req: m.UpdateDingtalkOpenPlatformConfigRequest
) -> m.UpdateDingtalkOpenPlatformConfigResponse:
    """Change the secret of an existing DingTalk configuration."""
    config = space_of(ctx, req.space_id).open_platform.dingtalk.get(req.app_id)
    if config is None:
        raise not_found("AppId", "DingTalk configuration of app", req.app_id)
    config.app_secret = req.app_secret
    config.updated_ms = now_ms(ctx)
    return m.UpdateDingtalkOpenPlatformConfigResponse(request_id=ctx.request_id)


@handles(m.DeleteDingtalkOpenPlatformConfigRequest)
def delete_dingtalk_open_platform_config(
    ctx: Context, req: m.DeleteDingtalkOpenPlatformConfigRequest
) -> m.DeleteDingtalkOpenPlatformConfigResponse:
    """Delete a DingTalk configuration."""
    space = space_of(ctx, req.space_id)
    _remove(space.open_platform.dingtalk, req.app_id, "DingTalk")
    return m.DeleteDingtalkOpenPlatformConfigResponse(request_id=ctx.request_id)
