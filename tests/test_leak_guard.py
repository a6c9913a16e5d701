"""An unclosed aiohttp session warns, so ``filterwarnings = error`` fails any test that
leaks one (the guard the whole suite relies on)."""

from __future__ import annotations

import gc

import aiohttp
import pytest

import aiompsls


async def test_an_unclosed_session_warns():
    with pytest.warns(ResourceWarning, match="Unclosed client session"):
        _open_and_forget()


def _open_and_forget() -> None:
    aiohttp.ClientSession()


async def test_a_used_and_closed_client_leaves_nothing_behind():
    creds = aiompsls.Credentials(access_key_id="a", access_key_secret="b")
    retry = aiompsls.RetryPolicy(max_attempts=1)
    config = aiompsls.ClientConfig(endpoint="http://127.0.0.1:9", retry=retry)
    client = aiompsls.Client(creds, config=config)
    with pytest.raises(aiompsls.TransportError):
        await client.list_space()
    await client.aclose()
    del client
    gc.collect()
