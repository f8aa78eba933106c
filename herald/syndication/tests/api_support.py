"""What the ninjs API tests share: the official schema, offline, and request helpers."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from herald.stories.models import Story

ITEMS = "/api/ninjs/v2/items"
SAMPLES = Path(settings.BASE_DIR) / "tests" / "data" / "ninjs"
GEOJSON = "https://geojson.org/schema/GeoJSON.json"

# --- the official schema, offline ---------------------------------------------
formats = FormatChecker(formats=())


@formats.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


@formats.checks("uri", raises=ValueError)
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    scheme = urlsplit(value).scheme
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)) and " " not in value


def _validator() -> Draft202012Validator:
    schema = json.loads((SAMPLES / "ninjs-schema_2.2.json").read_text())
    # The schema refers to GeoJSON by URL for a place's geometry. Tests run without
    # network, and Herald sends no geometry, so that URL resolves to an empty schema.
    registry: Registry[Any] = Registry().with_resource(
        GEOJSON, Resource.from_contents({}, default_specification=DRAFT202012)
    )
    return Draft202012Validator(schema, registry=registry, format_checker=formats)


NINJS = _validator()


def assert_ninjs(item: dict[str, Any]) -> None:
    errors = [e.message for e in NINJS.iter_errors(item)]
    assert not errors, errors


# --- request helpers ----------------------------------------------------------
def get(client: Client, path: str, key: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(path, params, headers=headers)


def items_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["items"])


def ids(response: Any) -> list[int]:
    return [herald_id(i) for i in items_of(response)]


def herald_id(item: dict[str, Any]) -> int:
    return int(next(a["value"] for a in item["altids"] if a["role"] == "herald-id"))


def jpeg(width: int = 2000, height: int = 1000) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 150)).save(out, "JPEG")
    out.seek(0)
    return out


def set_times(story: Story, **times: datetime) -> None:
    Story.objects.filter(pk=story.pk).update(**times)
    story.refresh_from_db()
