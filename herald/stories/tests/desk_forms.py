"""Post a desk form as a browser would: what the page holds, with some changes."""

from typing import Any

import lxml.html
from django.test import Client


def form_values(
    client: Client, url: str, form_id: str = "story_form"
) -> dict[str, Any]:
    """The values the form at `url` would submit untouched (lists for repeats)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    page = lxml.html.fromstring(response.content.decode())
    (form,) = page.xpath(f'//form[@id="{form_id}"]')
    values: dict[str, Any] = {}
    for name, value in form.form_values():
        if name in values:
            values[name] = [*_as_list(values[name]), value]
        else:
            values[name] = value
    # Multiple selects and checkbox groups always post as lists.
    for field in form.inputs:
        name = field.name
        if name and field.tag == "select" and field.multiple:
            values[name] = _as_list(values.get(name, []))
    return values


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
