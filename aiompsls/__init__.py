"""aiompsls: the asyncio SDK for the Alibaba Cloud MPServerless control-plane API."""

from __future__ import annotations

from aiompsls._version import __version__

__all__ = ["__version__"]
