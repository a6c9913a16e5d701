"""``python -m aiompsls.emulator serve [options]``: the module entry of the emulator."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from aiompsls.emulator import serve

_USAGE = "usage: python -m aiompsls.emulator serve [-h] [options]\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch ``serve`` to :func:`aiompsls.emulator.serve.main`.

    Args:
        argv: The arguments after the module name; ``sys.argv[1:]`` if None.

    Returns:
        The exit status.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        return serve.main(args[1:])
    if args[:1] in (["-h"], ["--help"]):
        sys.stdout.write(_USAGE)
        return 0
    sys.stderr.write(_USAGE)
    return 2


if __name__ == "__main__":
    sys.exit(main())
