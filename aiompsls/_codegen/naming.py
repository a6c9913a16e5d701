"""Name conversions between the API's PascalCase and Python's snake_case."""

from __future__ import annotations

import re

_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
# Names whose plain conversion would read badly (``ETag`` -> ``e_tag``).
_SPECIAL = {"ETag": "etag", "Etag": "etag"}


def snake(name: str) -> str:
    """Convert a wire name to snake_case: ``RunDBCommand`` -> ``run_db_command``."""
    if name in _SPECIAL:
        return _SPECIAL[name]
    step = _ACRONYM_BOUNDARY.sub(r"\1_\2", name)
    return _WORD_BOUNDARY.sub(r"\1_\2", step).lower()


def pascal(attr: str) -> str:
    """Convert a snake_case attribute back to the default wire spelling."""
    return "".join(part.capitalize() for part in attr.split("_"))
