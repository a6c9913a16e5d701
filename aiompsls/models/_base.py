"""Base classes of the generated request and response models.

Imports: stdlib only. Every generated ``<Action>Request`` derives from
``Request[<Action>Response]`` so that ``Client.invoke`` is typed end to end.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

__all__ = ["Request", "Response", "ResponseT", "Shape"]


class Shape:
    """A nested structure of a response (a struct or a list item)."""

    __slots__ = ()


class Response:
    """The decoded body of a successful call."""

    __slots__ = ()


ResponseT = TypeVar("ResponseT", bound=Response)


class Request(Generic[ResponseT]):
    """The parameters of one action; ``ACTION`` is its wire name."""

    __slots__ = ()

    ACTION: ClassVar[str]
    RESPONSE: ClassVar[type[Response]]
