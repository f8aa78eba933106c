"""Put the request's edition into every template."""

from typing import Any

from django.http import HttpRequest


def edition(request: HttpRequest) -> dict[str, Any]:
    return {"edition": getattr(request, "edition", None)}
