"""The emulator state: deterministic ids, reset, space lookup."""

from __future__ import annotations

import re

import pytest

from aiompsls import models as m
from aiompsls.emulator._registry import EmulatedError
from aiompsls.emulator.state import EmulatorState

UUID4 = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def _ids(state):
    return [state.new_uuid(), state.new_hex(24), state.new_token(16)]


def test_equal_seeds_mint_equal_ids_and_other_seeds_do_not():
    assert _ids(EmulatorState(seed="a")) == _ids(EmulatorState(seed="a"))
    assert _ids(EmulatorState(seed="a")) != _ids(EmulatorState(seed="b"))


def test_minted_ids_have_the_documented_shapes_and_never_repeat():
    state = EmulatorState()
    uuids = {state.new_uuid() for _ in range(200)}
    assert len(uuids) == 200
    assert all(UUID4.match(value) for value in uuids)
    assert re.fullmatch(r"[0-9a-f]{24}", state.new_hex(24))
    assert state.serial == 201


def test_private_keys_are_pem_shaped_and_fresh():
    state = EmulatorState()
    first, second = state.new_private_key(), state.new_private_key()
    assert first != second
    lines = first.splitlines()
    assert lines[0] == "-----BEGIN PRIVATE KEY-----"
    assert lines[-1] == "-----END PRIVATE KEY-----"
    assert all(len(line) <= 64 for line in lines[1:-1])


def test_reset_forgets_everything_but_the_seed(call, ctx):
    state = ctx.state
    state.seed = "kept"
    call(m.CreateSpaceRequest(name="one"))
    first_extension = next(iter(state.extensions.values()))
    first_extension.enabled = True
    state.reset()
    assert state.spaces == {}
    assert state.serial == 0
    assert state.seed == "kept"
    assert not any(entry.enabled for entry in state.extensions.values())
    assert state.oss_access_key_id == EmulatorState(seed="kept").oss_access_key_id


def test_the_oss_credentials_depend_on_the_seed():
    one, other = EmulatorState(seed="x"), EmulatorState(seed="y")
    assert one.oss_access_key_id.startswith("LTAI")
    assert one.oss_access_key_id != other.oss_access_key_id
    assert one.oss_access_key_secret != other.oss_access_key_secret


def test_looking_up_an_unknown_space_is_a_404():
    with pytest.raises(EmulatedError) as info:
        EmulatorState().space("nope")
    assert (info.value.code, info.value.status) == ("InvalidSpaceId.NotFound", 404)
