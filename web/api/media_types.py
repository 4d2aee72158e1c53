"""What a view answers with when it is not JSON, declared on the view for the OpenAPI document."""

from __future__ import annotations

from typing import Callable


def responds_with(*media_types: str) -> Callable:
    """Declare the media types of the view's successful answer (default: application/json)."""

    def declare(view: Callable) -> Callable:
        view.response_media_types = media_types
        return view

    return declare


def response_media_types(view: Callable) -> tuple[str, ...]:
    return getattr(view, "response_media_types", ("application/json",))
