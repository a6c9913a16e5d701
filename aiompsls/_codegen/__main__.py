"""``python -m aiompsls._codegen [--check] [--out DIR]``: regenerate the API surface."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiompsls._codegen.generate import PACKAGE_ROOT, changed_files, write_all


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) every generated file."""
    parser = argparse.ArgumentParser(prog="python -m aiompsls._codegen")
    parser.add_argument("--check", action="store_true", help="fail on any drift")
    parser.add_argument("--out", type=Path, default=PACKAGE_ROOT, help="package dir")
    args = parser.parse_args(argv)
    if args.check:
        drift = changed_files(args.out)
        for name in drift:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if drift else 0
    for name in write_all(args.out):
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
