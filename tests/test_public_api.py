"""The public surface: what is exported, documented, typed and versioned."""

from __future__ import annotations

import importlib
import inspect
from importlib import resources

import pytest

import aiompsls
from aiompsls import errors, paginators, waiters
from aiompsls._core.operations import OPERATIONS, PAGINATORS, WAITERS

PUBLIC_MODULES = [
    "aiompsls",
    "aiompsls.errors",
    "aiompsls.models",
    "aiompsls.paginators",
    "aiompsls.waiters",
    "aiompsls.config",
    "aiompsls.credentials",
    "aiompsls.client",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_resolvable(name: str):
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # isort style, as ruff's RUF022 keeps it: CONSTANTS, then the rest.
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    for item in exported:
        assert hasattr(module, item), f"{name}.{item}"


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_object_is_documented(name: str):
    module = importlib.import_module(name)
    assert module.__doc__
    for item in module.__all__:
        obj = getattr(module, item)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name}.{item}"


def test_version_and_typing_marker():
    assert aiompsls.__version__.count(".") == 2
    assert resources.files("aiompsls").joinpath("py.typed").is_file()


def test_every_action_is_a_client_method():
    for operation in OPERATIONS.values():
        method = getattr(aiompsls.Client, operation.method_name)
        assert inspect.iscoroutinefunction(method)
        assert f"``{operation.name}``" in (method.__doc__ or "")
        signature = inspect.signature(method)
        kinds = {p.kind for n, p in signature.parameters.items() if n != "self"}
        assert kinds <= {inspect.Parameter.KEYWORD_ONLY}


def test_paginators_and_waiters_are_exported():
    for operation in PAGINATORS:
        assert OPERATIONS[operation].method_name in paginators.__all__
    for name in WAITERS:
        assert f"wait_{name}" in waiters.__all__


def test_every_error_derives_from_the_root():
    for item in errors.__all__:
        obj = getattr(errors, item)
        if inspect.isclass(obj):
            assert issubclass(obj, errors.MpslsError)
