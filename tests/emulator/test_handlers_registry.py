"""Every action has a handler, and every handler's answer survives the strict wire."""

from __future__ import annotations

import json
import shutil

import pytest

from aiompsls import models as m
from aiompsls._core.operations import OPERATIONS
from aiompsls._core.wire import make_converter
from aiompsls.emulator._registry import HANDLERS, EmulatedError
from aiompsls.emulator.buckets import FILE_BUCKET
from aiompsls.emulator.handlers import dispatch
from aiompsls.emulator.handlers.webhosting_files import put_hosting_file
from aiompsls.emulator.records import LogRecord

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
# RunFunction runs the function's code under Node.js.
needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js (node on PATH)"
)


def test_every_operation_has_a_handler_and_nothing_else_does():
    assert set(HANDLERS) == set(OPERATIONS)


def test_dispatch_rejects_an_unknown_action(ctx):
    class Bogus(m.ListSpaceRequest):
        ACTION = "NoSuchAction"

    with pytest.raises(EmulatedError) as info:
        dispatch(ctx, Bogus())
    assert (info.value.code, info.value.status) == ("InvalidAction.NotFound", 404)


def _space_and_functions(call, state, log):
    sid = call(m.CreateSpaceRequest(name="demo")).space_id
    call(m.ListSpaceRequest())
    call(m.UpdateSpaceRequest(space_id=sid, desc="d", status="PAUSED"))
    call(m.DescribeSpaceClientConfigRequest(space_id=sid, detail="true"))
    call(m.ResetServerSecretRequest(space_id=sid))
    call(m.CreateFunctionRequest(space_id=sid, name="hello"))
    call(
        m.UpdateFunctionRequest(
            space_id=sid,
            name="hello",
            memory=256,
            http_trigger_path="/http/hello",
            timing_trigger_config="cron:0 0 * * * *",
        )
    )
    dep = call(m.CreateFunctionDeploymentRequest(space_id=sid, name="hello"))
    call(m.DeployFunctionRequest(space_id=sid, deployment_id=dep.deployment_id))
    call(m.DescribeFunctionRequest(space_id=sid, name="hello"))
    call(m.ListFunctionRequest(space_id=sid))
    call(m.ListFunctionDeploymentRequest(space_id=sid, name="hello"))
    body = json.dumps({"functionTarget": "hello", "functionArgs": {"a": 1}})
    call(m.RunFunctionRequest(space_id=sid, body=body))
    state.spaces[sid].functions.logs.append(log)
    call(m.ListFunctionLogRequest(space_id=sid, name="hello"))
    call(m.DescribeFCOpenStatusRequest())
    return sid


def _db(call, sid):
    insert = {"command": "insertOne", "collection": "coll", "data": {"a": 1}}
    call(m.RunDBCommandRequest(space_id=sid, body=json.dumps(insert)))
    call(
        m.RenameDBCollectionRequest(
            space_id=sid, origin_collection="coll", new_collection="coll2"
        )
    )
    task = call(
        m.CreateDBExportTaskRequest(space_id=sid, collection="coll2", file_type="JSON")
    )
    for _ in range(3):
        call(m.QueryDBExportTaskStatusRequest(space_id=sid, task_id=task.task_id))
    task = call(
        m.CreateDBImportTaskRequest(
            space_id=sid, collection="coll3", file_type="JSON", mode="INSERT"
        )
    )
    for _ in range(4):
        call(m.QueryDBImportTaskStatusRequest(space_id=sid, task_id=task.task_id))
    dumps = call(m.QueryDBBackupDumpTimesRequest(space_id=sid))
    backup_id = dumps.backup_dump_times[0].backup_id
    call(m.QueryDBBackupCollectionsRequest(space_id=sid, backup_id=backup_id))
    task = call(
        m.CreateDBRestoreTaskRequest(
            space_id=sid,
            backup_id=backup_id,
            origin_collections="coll2",
            new_collections="restored",
        )
    )
    for _ in range(3):
        call(m.QueryDBRestoreTaskStatusRequest(space_id=sid, task_id=task.task_id))
    drop = json.dumps({"command": "drop", "collection": "coll2"})
    call(m.DeleteDBCollectionRequest(space_id=sid, body=drop))


def _files_policies_extensions(call, state, sid):
    upload = call(
        m.DescribeFileUploadSignedUrlRequest(
            space_id=sid, content_type="image/png", filename="a.png", size=3
        )
    )
    stored = state.spaces[sid].files.files[upload.id]
    state.objects.put_bytes(
        FILE_BUCKET, stored.object_key, b"png", content_type="image/png", modified_ms=0
    )
    call(m.RegisterFileRequest(space_id=sid, id=upload.id))
    call(m.ListFileRequest(space_id=sid))
    call(m.DeleteFileRequest(space_id=sid, id=upload.id))
    call(m.DescribeServicePolicyRequest(space_id=sid, service_name="file"))
    call(
        m.UpdateServicePolicyRequest(
            space_id=sid,
            service_name="db",
            collection_name="c",
            policy_name="EXTENDED",
            policy='{".read":true}',
        )
    )
    listed = call(m.ListExtensionsRequest())
    call(m.EnableExtensionRequest(extension_id=listed.extensions[0].extension_id))


def _open_platform(call, sid):
    call(
        m.SaveAntOpenPlatformConfigRequest(
            space_id=sid,
            app_id="2019",
            private_key="k",
            sign_mode="PUBLIC_KEY",
            public_key="p",
        )
    )
    call(m.ListOpenPlatformConfigRequest(space_id=sid))
    call(m.DeleteAntOpenPlatformConfigRequest(space_id=sid, app_id="2019"))
    call(
        m.SaveWechatOpenPlatformConfigRequest(space_id=sid, app_id="w", app_secret="s")
    )
    call(m.DeleteWechatOpenPlatformConfigRequest(space_id=sid, app_id="w"))
    call(
        m.AddDingtalkOpenPlatformConfigRequest(space_id=sid, app_id="d", app_secret="s")
    )
    call(
        m.UpdateDingtalkOpenPlatformConfigRequest(
            space_id=sid, app_id="d", app_secret="t"
        )
    )
    call(m.ListDingtalkOpenPlatformConfigsRequest(space_id=sid))
    call(m.DeleteDingtalkOpenPlatformConfigRequest(space_id=sid, app_id="d"))


def _cors_and_trigger(call, sid):
    added = call(m.AddCorsDomainRequest(space_id=sid, domain="a.example.com"))
    call(m.ListCorsDomainsRequest(space_id=sid))
    call(m.DeleteCorsDomainRequest(space_id=sid, domain_id=added.domain_id))
    call(
        m.GetWebHostingDomainVerificationContentRequest(
            space_id=sid, domain="example.com"
        )
    )
    call(
        m.VerifyWebHostingDomainOwnerRequest(
            space_id=sid, domain="example.com", verify_type="dnsCheck"
        )
    )
    call(
        m.UpdateHttpTriggerConfigRequest(
            space_id=sid,
            enable_service=True,
            custom_domain="api.example.com",
            custom_domain_certificate=CERT,
            custom_domain_private_key=KEY,
        )
    )
    call(m.DescribeHttpTriggerConfigRequest(space_id=sid))


def _web_hosting(call, sid):
    call(m.OpenWebHostingServiceRequest(space_id=sid))
    call(m.GetWebHostingStatusRequest(space_id=sid))
    call(m.ModifyWebHostingConfigRequest(space_id=sid, index_path="index.html"))
    call(m.GetWebHostingConfigRequest(space_id=sid))
    domain = "www.example.com"
    call(m.BindWebHostingCustomDomainRequest(space_id=sid, custom_domain=domain))
    call(
        m.SaveWebHostingCustomDomainCorsConfigRequest(
            space_id=sid, domain_name=domain, enable_cors=True
        )
    )
    call(
        m.AttachWebHostingCertificateRequest(
            space_id=sid, domain=domain, cert_name="c", cert_type="cas"
        )
    )
    call(
        m.SaveWebHostingCustomDomainConfigRequest(
            space_id=sid, domain_name=domain, force_redirect_type="HTTPS_FORCE"
        )
    )
    call(m.GetWebHostingCertificateDetailRequest(space_id=sid, custom_domain=domain))
    call(m.ListWebHostingCustomDomainsRequest(space_id=sid))
    call(m.DeleteWebHostingCertificateRequest(space_id=sid, domain=domain))
    call(m.UnbindWebHostingCustomDomainRequest(space_id=sid, custom_domain=domain))


def _web_files(call, state, sid):
    call(m.GetWebHostingUploadCredentialRequest(space_id=sid, file_path="/"))
    objects = state.objects
    put_hosting_file(
        objects, sid, "a.html", b"<p>", content_type="text/html", modified_ms=1
    )
    put_hosting_file(
        objects, sid, "b.html", b"<b>", content_type="text/html", modified_ms=2
    )
    call(m.ListWebHostingFilesRequest(space_id=sid, prefix="/"))
    call(m.DescribeWebHostingFileRequest(space_id=sid, file_path="/a.html"))
    call(
        m.MoveWebHostingFileRequest(
            space_id=sid, source_file_path="a.html", target_file_path="c.html"
        )
    )
    call(m.DeleteWebHostingFileRequest(space_id=sid, file_path="c.html"))
    call(m.BatchDeleteWebHostingFilesRequest(space_id=sid, file_paths=["b.html"]))


def _every_action(call, state):
    answers = {}

    def record(request):
        answers[request.ACTION] = call(request)
        return answers[request.ACTION]

    log = LogRecord(
        request_id="r1",
        function_name="hello",
        status="SUCCESS",
        timestamp_ms=1,
        contents=["hi"],
        levels=["INFO"],
        timestamps=[1],
    )
    sid = _space_and_functions(record, state, log)
    _db(record, sid)
    _files_policies_extensions(record, state, sid)
    _open_platform(record, sid)
    _cors_and_trigger(record, sid)
    _web_hosting(record, sid)
    _web_files(record, state, sid)
    record(m.DescribeResourceUsageRequest(space_id=sid))
    record(m.DescribeResourceQuotaRequest(space_id=sid))
    record(m.DeleteFunctionRequest(space_id=sid, name="hello"))
    record(m.DeleteSpaceRequest(space_id=sid))
    return answers


@needs_node
def test_a_scenario_reaches_every_action(call, state, function_packages):
    function_packages.put("hello")
    assert set(_every_action(call, state)) == set(OPERATIONS)


@needs_node
def test_every_answer_round_trips_through_the_strict_converter(
    call, state, function_packages
):
    function_packages.put("hello")
    converter = make_converter(strict=True)
    for action, answer in _every_action(call, state).items():
        assert type(answer) is OPERATIONS[action].response, action
        wire = converter.unstructure(answer)
        json.dumps(wire)
        assert converter.structure(wire, type(answer)) == answer, action


def _placeholder(param):
    if param.enum:
        return param.enum[0]
    if param.is_json:
        return '{"command": "find", "collection": "c", "functionTarget": "f"}'
    return {"integer": 1, "boolean": True, "list": ["x"]}.get(param.type, "x")


SPACE_ACTIONS = sorted(
    name for name, op in OPERATIONS.items() if op.param("SpaceId") is not None
)


@pytest.mark.parametrize("action", SPACE_ACTIONS)
def test_an_unknown_space_is_not_found_in_every_action(fails, space_id, action):
    operation = OPERATIONS[action]
    kwargs = {p.attr: _placeholder(p) for p in operation.params if p.required}
    kwargs["space_id"] = "00000000-0000-4000-8000-000000000000"
    error = fails(operation.request(**kwargs), "InvalidSpaceId.NotFound", 404)
    assert error.message == "The specified SpaceId does not exist."
