"""``python -m aiompsls``: the same command line as the ``aiompsls`` script."""

from __future__ import annotations

from aiompsls.cli import run

if __name__ == "__main__":
    run()
