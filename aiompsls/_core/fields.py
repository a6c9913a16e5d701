"""Model fields as the wire sees them: names, attributes, which classes are models.

Imports: stdlib, attrs, ``aiompsls.models``.
"""

from __future__ import annotations

from typing import Any, cast

import attrs

from aiompsls.models._base import Request, Response, Shape

__all__ = ["is_model", "model_fields", "wire_name"]


def wire_name(attribute: attrs.Attribute[Any]) -> str:
    """The wire name of a model attribute: its ``wire`` metadata or its PascalCase."""
    explicit = attribute.metadata.get("wire")
    if explicit:
        return str(explicit)
    return "".join(part.capitalize() for part in attribute.name.split("_"))


def model_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The attrs fields of a generated model class."""
    return tuple(attrs.fields(cast("Any", cls)))


def is_model(cls: Any) -> bool:
    """Whether ``cls`` is a generated model class (a shape, request or response)."""
    return isinstance(cls, type) and issubclass(cls, Shape | Response | Request)
