"""The local emulator of the MPServerless control-plane API (aiohttp.web).

``Emulator`` serves every action of the spec with strict v1 and ACS3 signature checks;
``aiompsls emulator serve`` runs one from the command line (:mod:`.serve`).
"""

from __future__ import annotations

from aiompsls.emulator.server import Emulator

__all__ = ["Emulator"]
