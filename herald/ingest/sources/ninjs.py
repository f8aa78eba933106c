"""IPTC ninjs 1.x, 2.x and 3.x JSON: one item, or a list of items."""

import json
import re
from datetime import datetime
from typing import Any

from .bodies import (
    Nitf,
    clean_byline,
    html_body,
    looks_like_markup,
    nitf_from_text,
)
from .common import (
    PUBSTATUS_WORDS,
    ParseError,
    assemble,
    collapse,
    finish_item,
    oversized,
    parse_datetime,
    parse_int,
    plain_text,
    safe_url,
    text_to_html,
)
from .dateline import split_dateline
from .items import (
    ItemKind,
    NotText,
    ParsedFeed,
    ParsedItem,
    PubStatus,
    Subject,
    WireImage,
)

# Deeper than any real ninjs (associations nest a level or two).
MAX_DEPTH = 32
_MEDIATOPIC = re.compile(r"cv\.iptc\.org/newscodes/mediatopic/?(\d{8})?", re.IGNORECASE)
_ENVELOPES = ("items", "_items", "data")
_PICTURE_TYPES = frozenset({"picture", "graphic", "image"})

Obj = dict[str, Any]
EXTRA_CHARS = 2000
# What the desk may want beside the story, under the names NewsML-G2 items use.
_EXTRA = {
    "type": "type",
    "ednote": "ednote",
    "copyright": "copyrightnotice",
    "usage_terms": "usageterms",
    "slugline": "slugline",
    "profile": "profile",
}


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (iteratively, no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            children: Any = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _int_or_float(digits: str) -> int | float:
    """A JSON integer; one too long for int() (over 4,300 digits) reads as a float,
    so one silly number costs its field, not the document."""
    return int(digits) if len(digits) <= 100 else float(digits)


def _decode(data: bytes, warnings: list[str]) -> str:
    """JSON text from bytes: UTF-8 (RFC 8259), or UTF-16/32 by their byte order
    marks or zero bytes; UTF-8 that is not falls back to Windows-1252, with a
    warning, as XML feeds do."""
    encoding = json.detect_encoding(data)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if not encoding.startswith("utf-8"):
            raise ParseError(
                f"not valid {encoding.upper()} JSON: bad bytes at {error.start}"
            ) from error
    warnings.append("the document is not valid UTF-8; read it as windows-1252")
    return data.decode("windows-1252", errors="replace")


def _load(data: bytes, warnings: list[str]) -> Any:
    """The JSON document, with clear errors for bad bytes, syntax and shape."""
    if not data.strip():
        raise ParseError("the document is empty")
    text = _decode(data, warnings)
    try:
        document = json.loads(text, parse_int=_int_or_float)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from error
    except RecursionError as error:
        raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep") from error
    if _depth(document) > MAX_DEPTH:
        raise ParseError(f"JSON nested more than {MAX_DEPTH} levels deep")
    return document


def _lower(obj: Obj) -> Obj:
    """An object with its keys in lower case, so 1.x/2.x snake-ish names and 3.x
    camelCase names read alike (versionCreated → versioncreated)."""
    return {str(key).lower(): value for key, value in obj.items()}


def parse_ninjs(data: bytes, base_url: str = "") -> ParsedFeed:
    """Every item of a ninjs document: one object, or a list of objects (bare, or
    under "items" / "_items" / "data" as APIs send them)."""
    warnings: list[str] = []
    document = _load(data, warnings)
    if isinstance(document, dict) and not (
        {"uri", "guid"} & {*map(str.lower, document)}
    ):
        # An API's envelope around the list: {"items": [...]} or {"_items": [...]}.
        wrapped = next(
            (document[k] for k in _ENVELOPES if isinstance(document.get(k), list)),
            None,
        )
        if wrapped is not None:
            document = wrapped
    if isinstance(document, dict):
        objects: list[Any] = [document]
    elif isinstance(document, list):
        objects = document
    else:
        raise ParseError(
            f"not a ninjs document: expected an object or a list, got "
            f"{type(document).__name__}"
        )
    items = [
        _read_item(obj, position, base_url, warnings)
        for position, obj in enumerate(objects, start=1)
    ]
    return assemble(items, warnings)


def _str(value: Any) -> str:
    """A string field, whitespace collapsed; anything else reads as empty."""
    return collapse(value) if isinstance(value, str) else ""


def _objects(value: Any) -> list[Obj]:
    """The objects of a list (or the values of a 1.x name → object map)."""
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        return []
    return [_lower(v) for v in value if isinstance(v, dict)]


def _by_role(values: list[Obj], roles: tuple[str, ...]) -> Obj | None:
    """The first object whose role is one of `roles` ("" matches no role)."""
    for role in roles:
        for value in values:
            if _str(value.get("role")).lower() == role:
                return value
    return None


def _headlines(obj: Obj) -> tuple[str, str]:
    """(headline, subtitle) from 2.x/3.x headlines, 2.0 drafts' list of named
    headlines ({"name": "main", "text": ...}) or 1.x headline fields."""
    headlines = _objects(obj.get("headlines")) or _objects(obj.get("headline"))
    if headlines:
        for entry in headlines:
            entry.setdefault("role", entry.get("name"))
            entry.setdefault("value", entry.get("text"))
        main = _by_role(headlines, ("main", "")) or headlines[0]
        sub = _by_role(headlines, ("sub", "subtitle", "subheadline", "subhead"))
        return (
            plain_text(_str(main.get("value"))),
            plain_text(_str(sub.get("value"))) if sub else "",
        )
    headline = _str(obj.get("headline")) or _str(obj.get("headline_main"))
    if not headline:
        headline = next(
            (_str(v) for k, v in obj.items() if k.startswith("headline_") and _str(v)),
            "",
        )
    subtitle = _str(obj.get("headline_sub")) or _str(obj.get("headline_subtitle"))
    return plain_text(headline), plain_text(subtitle)


def _is_html(kind: str, role: str) -> bool:
    """Whether a body or description is HTML by its content type or role."""
    return "html" in kind.lower() or role.lower() in ("richtext", "html", "xhtml")


def _texts(obj: Obj, plural: str, prefix: str) -> tuple[str, str]:
    """(html, text) of the bodies or descriptions, in any ninjs version."""
    html_value = text_value = ""
    entries = _objects(obj.get(plural))
    for entry in entries:
        value = entry.get("value")
        if not isinstance(value, str) or not value.strip():
            continue
        if _is_html(_str(entry.get("contenttype")), _str(entry.get("role"))):
            html_value = html_value or value
        else:
            text_value = text_value or value
    for key, value in obj.items():
        if (
            not key.startswith(prefix)
            or not isinstance(value, str)
            or not value.strip()
        ):
            continue
        suffix = key[len(prefix) :]
        if suffix in ("html", "xhtml", "richtext"):
            html_value = html_value or value
        else:
            text_value = text_value or value
    return html_value, text_value


# A body's format by its content type or role (or its 1.x key's suffix).
_HTML_WORDS = ("html", "xhtml", "html5", "richhtml5", "richtext")


def _body_format(kind: str, role: str) -> str:
    """ "html", "nitf", "text" or "" (a format Herald does not read, such as an
    agency's own XML) for a body of content type `kind` and role `role`."""
    kind, role = kind.lower(), role.lower()
    if "nitf" in kind or role == "nitf":
        return "nitf"
    if "html" in kind or role in _HTML_WORDS:
        return "html"
    if kind in ("", "text/plain") and role in ("", "text", "plain", "main"):
        return "text"
    return ""


def _body_candidates(obj: Obj) -> list[tuple[str, str]]:
    """(format, value) of every body the item offers, in any ninjs version:
    3.x/2.x `bodies`, 2.0 `body` (a list of named bodies), 1.x `body_<format>`."""
    found: list[tuple[str, str]] = []
    listed = obj.get("bodies") or obj.get("body")
    for entry in _objects(listed):
        value = entry.get("value")
        if isinstance(value, str) and value.strip():
            role = _str(entry.get("role")) or _str(entry.get("name"))
            found.append((_body_format(_str(entry.get("contenttype")), role), value))
    for key, value in obj.items():
        if key.startswith("body_") and isinstance(value, str) and value.strip():
            found.append((_body_format("", key[len("body_") :]), value))
    return found


def _body(obj: Obj, headline: str) -> tuple[str, Nitf | None]:
    """The richest body that converts faithfully, as HTML: HTML or XHTML (only
    the body's content), then NITF (with its head's fields), then plain text.
    A "plain text" body that is a document is read as the document it is."""
    candidates = _body_candidates(obj)
    by_format: dict[str, list[str]] = {}
    for fmt, value in candidates:
        if fmt == "text" and looks_like_markup(value):
            fmt = "nitf" if re.search(r"<nitf\b", value[:4000], re.I) else "html"
        by_format.setdefault(fmt, []).append(value)
    for value in by_format.get("html", []):
        html_value = html_body(value, headline)
        if html_value.strip():
            return html_value, None
    for value in by_format.get("nitf", []):
        try:
            nitf = nitf_from_text(value)
        except ParseError:
            continue
        if nitf.html.strip():
            return nitf.html, nitf
    for value in by_format.get("text", []):
        return text_to_html(value), None
    return "", None


def _medtop(code: str, uri: str, scheme: str) -> str:
    """A "medtop:NNNNNNNN" code from a ninjs subject, or ""."""
    if code.startswith("medtop:"):
        return code
    match = _MEDIATOPIC.search(uri)
    if match and match.group(1):
        return f"medtop:{match.group(1)}"
    if _MEDIATOPIC.search(scheme) and code.isdigit():
        return f"medtop:{code}"
    return ""


def _subjects(obj: Obj) -> tuple[Subject, ...]:
    """Subjects (1.x subject, 2.x/3.x subjects), media topics with their code."""
    subjects = []
    for subject in _objects(obj.get("subjects") or obj.get("subject")):
        name = _str(subject.get("name"))
        code = _medtop(
            _str(subject.get("code")) or _str(subject.get("literal")),
            _str(subject.get("uri")),
            _str(subject.get("scheme")),
        )
        if name or code:
            subjects.append(Subject(name=name or code, code=code))
    return tuple(dict.fromkeys(subjects))


_ISO_COUNTRY = re.compile(r"iso3166-1a2/?([a-z]{2})?$", re.IGNORECASE)


def _country_of_places(obj: Obj) -> str:
    """The country among the item's places: one coded by ISO 3166 (a uri or a
    scheme and code of cvx.iptc.org/iso3166-1a2), else an address's country."""
    places = _objects(obj.get("places") or obj.get("place"))
    for place in places:
        uri = _str(place.get("uri"))
        scheme = _str(place.get("scheme"))
        match = _ISO_COUNTRY.search(uri) or _ISO_COUNTRY.search(scheme)
        if match and (match.group(1) or _str(place.get("code"))):
            return _str(place.get("name"))
    for place in places:
        for info in _objects(place.get("contactinfo")):
            address = info.get("address")
            if isinstance(address, dict) and _str(address.get("country")):
                return _str(address.get("country"))
    return ""


def _places(obj: Obj) -> tuple[str, ...]:
    """The names of places (1.x place, 2.x/3.x places)."""
    names = [
        _str(p.get("name")) for p in _objects(obj.get("places") or obj.get("place"))
    ]
    return tuple(dict.fromkeys(name for name in names if name))


def _date(
    obj: Obj, keys: tuple[str, ...], label: str, warnings: list[str]
) -> datetime | None:
    """The first of `keys` present, as an aware UTC datetime."""
    for key in keys:
        value = obj.get(key)
        if value in (None, ""):
            continue
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            warnings.append(
                f"{label}: unreadable {key} {str(value)[:60]!r}; left empty"
            )
        return parsed
    return None


def _best_rendition(obj: Obj, base_url: str) -> tuple[str, int | None, int | None]:
    """(url, width, height) of the widest image rendition with a usable href."""
    best: tuple[int, str, int | None, int | None] | None = None
    for rendition in _objects(obj.get("renditions")):
        url = safe_url(_str(rendition.get("href")), base_url)
        kind = _str(rendition.get("contenttype") or rendition.get("mimetype"))
        if not url or (kind and not kind.startswith("image/")):
            continue
        width = _size(rendition.get("width"))
        height = _size(rendition.get("height"))
        rank = width or 0
        if best is None or rank > best[0]:
            best = (rank, url, width, height)
    if best is None:
        return "", None, None
    return best[1], best[2], best[3]


def _size(value: Any) -> int | None:
    """A positive pixel size, else None."""
    try:
        return parse_int(value, 1, 1_000_000)
    except ValueError:
        return None


def _credit(obj: Obj) -> str:
    """Who to credit for a picture: its copyright holder or its sources."""
    holder = _str(obj.get("copyrightholder"))
    if holder:
        return holder
    sources = [_str(s.get("name")) for s in _objects(obj.get("infosources"))]
    return ", ".join(s for s in sources if s)


def _image(obj: Obj, base_url: str) -> WireImage | None:
    """A picture object (an association, or a photo item itself) as a WireImage."""
    url, width, height = _best_rendition(obj, base_url)
    if not url:
        return None
    html_caption, text_caption = _texts(obj, "descriptions", "description_")
    caption = plain_text(text_caption) or plain_text(html_caption)
    headline, _sub = _headlines(obj)
    return WireImage(
        url=url,
        caption=caption or headline,
        credit=_credit(obj),
        photographer=_str(obj.get("by")) or _str(obj.get("byline")),
        alt_text=headline if caption else "",
        width=width,
        height=height,
    )


def _read_item(
    value: Any, position: int, base_url: str, warnings: list[str]
) -> ParsedItem | NotText | None:
    """One ninjs object as a ParsedItem; None (and a warning) to skip it."""
    if not isinstance(value, dict):
        warnings.append(
            f"item {position} skipped: expected an object, got {type(value).__name__}"
        )
        return None
    obj = _lower(value)
    guid = _str(obj.get("uri")) or _str(obj.get("guid"))
    if "eventdetails" in obj or _str(obj.get("type")).lower() == "event":
        # An event (ninjs 2.2+), with or without a uri: never a story.
        title = _str(obj.get("title")) or _headlines(obj)[0]
        return NotText(ItemKind.EVENT, guid or f"(event {position})", plain_text(title))
    if not guid:
        warnings.append(f"item {position} skipped: it has no uri")
        return None
    raw = json.dumps(value, ensure_ascii=False)
    if oversized(raw, position, guid, warnings):
        return None
    label = f"item {position} ({guid[:200]!r})"
    headline, subtitle = _headlines(obj)
    item_kind = ItemKind.read(_str(obj.get("type")))
    if item_kind not in (ItemKind.TEXT, ItemKind.PICTURE, ItemKind.GRAPHIC):
        return NotText(kind=item_kind, guid=guid, title=headline)
    if not headline:
        warnings.append(f"{label} skipped: it has no headline")
        return None

    version: int | None = None
    if obj.get("version") not in (None, ""):
        try:
            version = parse_int(obj.get("version"), 1)
        except ValueError as error:
            warnings.append(f"{label}: version ignored, {error}")
    urgency: int | None = None
    if obj.get("urgency") not in (None, ""):
        try:
            urgency = parse_int(obj.get("urgency"), 1, 9)
        except ValueError as error:
            warnings.append(f"{label}: urgency ignored, {error}")
    pubstatus = PubStatus.USABLE
    status = _str(obj.get("pubstatus")).lower()
    if status:
        if status in PUBSTATUS_WORDS:
            pubstatus = PUBSTATUS_WORDS[status]
        else:
            warnings.append(f"{label}: unknown pubstatus {status!r}; read as usable")

    body_html, nitf = _body(obj, headline)
    description_html, description_text = _texts(obj, "descriptions", "description_")
    standfirst = (
        subtitle or plain_text(description_text) or plain_text(description_html)
    )

    images: list[WireImage] = []
    if item_kind != ItemKind.TEXT:
        own = _image(obj, base_url)
        if own is not None:
            images.append(own)
    for association in _objects(obj.get("associations")):
        association_kind = _str(association.get("type")).lower()
        if association_kind and association_kind not in _PICTURE_TYPES:
            continue
        image = _image(association, base_url)
        if image is not None:
            images.append(image)

    city = country = ""
    located = _str(obj.get("located"))
    dateline = _str(obj.get("dateline"))
    if dateline:
        city, country = split_dateline(dateline)
    if located and not city:
        city, country = split_dateline(located)
    if nitf and nitf.dateline and not city:
        city, country = split_dateline(nitf.dateline)
    if city and not country:
        country = _country_of_places(obj)
    places = _places(obj)
    if located and city and city not in places:
        places = (city, *places)

    updated_at = _date(
        obj, ("versioncreated", "contentcreated", "firstcreated"), label, warnings
    )
    if updated_at is None and "versioncreated" not in obj:
        warnings.append(f"{label}: no versioncreated date given")
    item = ParsedItem(
        guid=guid,
        headline=headline,
        body_html=body_html,
        raw=raw,
        standfirst=standfirst,
        byline=clean_byline(_str(obj.get("by")) or _str(obj.get("byline")))
        or (nitf.byline if nitf else ""),
        dateline_city=city,
        dateline_country=country,
        link="",
        language=_str(obj.get("language")) or (nitf.language if nitf else ""),
        version=version,
        first_created=_date(obj, ("firstcreated", "contentcreated"), label, warnings),
        updated_at=updated_at,
        embargo_until=_date(obj, ("embargoeduntil", "embargoed"), label, warnings),
        urgency=urgency,
        pubstatus=pubstatus,
        images=tuple(images),
        subjects=_subjects(obj),
        places=places,
        keywords=tuple(
            dict.fromkeys(k for k in (_str(v) for v in obj.get("keywords") or []) if k)
        )
        if isinstance(obj.get("keywords"), list)
        else (),
        extra={
            key: _str(obj.get(name))[:EXTRA_CHARS]
            for key, name in _EXTRA.items()
            if _str(obj.get(name))
        },
        kind=item_kind,
    )
    return finish_item(item, structured=bool(city), base_url=base_url)
