"""IPTC NewsML-G2: a newsItem, or a packageItem / newsMessage holding news items."""

from datetime import datetime

from lxml import etree

from .bodies import clean_byline
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
from .newsml_g2_body import NAR, item_body
from .safexml import load_xml, local_name, serialize

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_N = {"n": NAR}
PICTURE_CLASSES = frozenset({"ninat:picture", "ninat:graphic"})
_GEO_TYPES = frozenset({"cpnat:geoArea", "cpnat:poi"})
# A dateline's country: IPTC's concept type, and the location types of the
# NewsML-G2 guidelines' examples (loctype:country).
_COUNTRY_TYPES = frozenset({"cptype:country", "loctype:country"})
# Items of reference data and of planning: never a story, counted by kind.
_ROOT_KINDS = {
    "conceptItem": ItemKind.CONCEPT,
    "knowledgeItem": ItemKind.CONCEPT,
    "catalogItem": ItemKind.CONCEPT,
    "planningItem": ItemKind.PLANNING,
}
# Subject types that are no topic: people, organisations, events, objects.
_NOT_TOPICS = frozenset(
    {"cpnat:person", "cpnat:organisation", "cpnat:event", "cpnat:object"}
)


def _q(name: str) -> str:
    """A NewsML-G2 element name in Clark notation."""
    return f"{{{NAR}}}{name}"


def _child(parent: etree._Element | None, name: str) -> etree._Element | None:
    """The first NAR child called `name`."""
    if parent is None:
        return None
    return parent.find(_q(name))


def _text(element: etree._Element | None) -> str:
    """All text inside an element, whitespace collapsed."""
    if element is None:
        return ""
    return collapse("".join(element.itertext()))


def _name(element: etree._Element, language: str) -> str:
    """A concept's name: in the item's language, else without a language, else the
    first one."""
    names = element.findall(_q("name"))
    if not names:
        return ""
    prefix = language.split("-")[0].lower()
    for name in names:
        lang = (name.get(XML_LANG) or "").lower()
        if (
            lang
            and prefix
            and (lang == language.lower() or lang.split("-")[0] == prefix)
        ):
            return _text(name)
    for name in names:
        if not name.get(XML_LANG):
            return _text(name)
    return _text(names[0])


def parse_newsml_g2(data: bytes, base_url: str = "") -> ParsedFeed:
    """The news items of a NewsML-G2 document (newsItem, packageItem or
    newsMessage). Package references to items not in the document are
    reported as warnings."""
    warnings: list[str] = []
    _utf8, root = load_xml(data, warnings)
    if etree.QName(root).namespace != NAR:
        raise ParseError(
            f"not a NewsML-G2 document: the root element is <{local_name(root)}> "
            f"outside the namespace {NAR}"
        )
    kind = local_name(root)
    others: list[NotText] = []
    if kind == "newsItem":
        news_items = [root]
        packages: list[etree._Element] = []
    elif kind == "packageItem":
        # A package alone groups items that come in documents of their own.
        news_items, packages = [], [root]
    elif kind == "newsMessage":
        news_items, packages = [], []
        for item in root.iterfind("n:itemSet/*", _N):
            name = local_name(item)
            if name == "newsItem":
                news_items.append(item)
            elif name == "packageItem":
                packages.append(item)
            elif name in _ROOT_KINDS:
                others.append(_not_text(item, _item_kind(item)))
            elif name:
                warnings.append(f"skipped a <{name}>: not a NewsML-G2 item")
    elif kind in _ROOT_KINDS:
        return assemble([_not_text(root, _item_kind(root))], warnings)
    else:
        raise ParseError(
            f"not a NewsML-G2 news item, package or message (the root is <{kind}>)"
        )
    known = {item.get("guid") for item in news_items}
    for package in packages:
        for ref in package.iter(_q("itemRef")):
            residref = ref.get("residref") or ref.get("href") or "(no reference)"
            if residref not in known:
                warnings.append(
                    f"package {package.get('guid', '')!r} refers to item "
                    f"{residref!r}, which is not in this document"
                )
    pictures = _pictures_by_guid(news_items, base_url)
    attached = _attach_package_pictures(packages, news_items, pictures)
    items: list[ParsedItem | NotText | None] = [
        _read_item(element, position, base_url, warnings, attached)
        for position, element in enumerate(news_items, start=1)
    ]
    # A message's packages are counted too; their text and pictures are read above.
    items += [_not_text(package, ItemKind.PACKAGE) for package in packages]
    items += others
    return assemble(items, warnings)


def _item_kind(element: etree._Element) -> ItemKind:
    """What an item is, by its element and itemClass (an event sent as a concept
    is an event)."""
    name = local_name(element)
    if name in _ROOT_KINDS:
        if element.find(".//n:eventDetails", _N) is not None:
            return ItemKind.EVENT
        return _ROOT_KINDS[name]
    if name == "packageItem":
        return ItemKind.PACKAGE
    kind = ItemKind.read(_item_class(element))
    if kind == ItemKind.TEXT and element.find(".//n:events", _N) is not None:
        return ItemKind.EVENT  # a news item carrying a set of events
    return kind


def _not_text(element: etree._Element, kind: ItemKind) -> NotText:
    """An item that is no text story, with its title where it has one."""
    title = ""
    for path in ("n:contentMeta/n:headline", "n:itemMeta/n:title", "n:concept/n:name"):
        title = _text(element.find(path, _N))
        if title:
            break
    guid = collapse(element.get("guid")) or f"(a <{local_name(element)}> without guid)"
    return NotText(kind=kind, guid=guid, title=plain_text(title))


def _item_class(element: etree._Element) -> str:
    """The item's itemClass qcode (ninat:text, ninat:picture, ...)."""
    item_class = element.find("n:itemMeta/n:itemClass", _N)
    return (item_class.get("qcode") or "") if item_class is not None else ""


def _pictures_by_guid(
    news_items: list[etree._Element], base_url: str
) -> dict[str, WireImage]:
    """The picture items of a message, as WireImages by guid."""
    pictures = {}
    for element in news_items:
        if _item_class(element) in PICTURE_CLASSES and element.get("guid"):
            image = _picture(element, base_url, _language(element))
            if image is not None:
                pictures[element.get("guid", "")] = image
    return pictures


def _attach_package_pictures(
    packages: list[etree._Element],
    news_items: list[etree._Element],
    pictures: dict[str, WireImage],
) -> dict[str, tuple[WireImage, ...]]:
    """Pictures a package groups with text items, by the text item's guid."""
    attached: dict[str, list[WireImage]] = {}
    text_guids = {
        e.get("guid") for e in news_items if _item_class(e) not in PICTURE_CLASSES
    }
    for package in packages:
        for group in package.iter(_q("group")):
            refs = [ref.get("residref") for ref in group.iterfind("n:itemRef", _N)]
            texts = [ref for ref in refs if ref in text_guids]
            images = [pictures[ref] for ref in refs if ref in pictures]
            for guid in texts:
                if guid:
                    attached.setdefault(guid, []).extend(images)
    return {guid: tuple(images) for guid, images in attached.items()}


def _language(element: etree._Element) -> str:
    """contentMeta/language, else the item's xml:lang."""
    language = element.find("n:contentMeta/n:language", _N)
    if language is not None and language.get("tag"):
        return collapse(language.get("tag"))
    return collapse(element.get(XML_LANG))


def _picture(element: etree._Element, base_url: str, language: str) -> WireImage | None:
    """A picture item's best rendition, with caption, credit and photographer."""
    meta = element.find(_q("contentMeta"))
    best: tuple[int, str, int | None, int | None] | None = None
    for remote in element.iterfind("n:contentSet/n:remoteContent", _N):
        url = safe_url(remote.get("href") or remote.get("residref"), base_url)
        if not url:
            continue
        kind = remote.get("contenttype") or ""
        if kind and not kind.startswith("image/"):
            continue
        width = _int_attr(remote, "width")
        height = _int_attr(remote, "height")
        rank = width or 0
        if best is None or rank > best[0]:
            best = (rank, url, width, height)
    caption = ""
    photographer = ""
    credit = ""
    if meta is not None:
        for description in meta.iterfind("n:description", _N):
            if description.get("role") in (None, "drol:caption", "drol:summary"):
                caption = _text(description)
                break
        for creator in meta.iterfind("n:creator", _N):
            if creator.get("role") in (None, "crol:photographer"):
                photographer = _name(creator, language)
                break
        credit = _text(meta.find(_q("creditline")))
    if best is None and not caption:
        return None
    _rank, url, width, height = best if best is not None else (0, "", None, None)
    return WireImage(
        url=url,
        caption=caption,
        credit=credit,
        photographer=photographer,
        width=width,
        height=height,
    )


def _int_attr(element: etree._Element, name: str) -> int | None:
    """A positive integer attribute, else None."""
    try:
        return parse_int(element.get(name), 1, 1_000_000)
    except ValueError:
        return None


def _date(
    parent: etree._Element | None,
    name: str,
    position: int,
    guid: str,
    warnings: list[str],
    *,
    warn_missing: bool = False,
) -> datetime | None:
    """A date element as an aware UTC datetime, warning when unreadable."""
    element = _child(parent, name)
    if element is None:
        if warn_missing:
            warnings.append(f"item {position} ({guid[:200]!r}): no {name} date given")
        return None
    value = _text(element)
    parsed = parse_datetime(value)
    if parsed is None:
        warnings.append(
            f"item {position} ({guid[:200]!r}): unreadable {name} {value[:60]!r}; "
            "left empty"
        )
    return parsed


EXTRA_CHARS = 2000


def _extra(
    element: etree._Element,
    item_meta: etree._Element | None,
    meta: etree._Element | None,
    item_class: str,
    language: str,
) -> dict[str, str]:
    """What the desk may want beside the story: notes, rights, slugline, source."""
    rights = element.find(_q("rightsInfo"))
    provider = _child(item_meta, "provider")
    values = {
        "item_class": item_class,
        "ednote": _text(_child(item_meta, "edNote")),
        "copyright": _text(_child(rights, "copyrightNotice")),
        "usage_terms": _text(_child(rights, "usageTerms")),
        "slugline": _text(_child(meta, "slugline")),
        "creditline": _text(_child(meta, "creditline")),
        "provider": (
            (_name(provider, language) or provider.get("qcode") or "")
            if provider is not None
            else ""
        ),
    }
    return {key: value[:EXTRA_CHARS] for key, value in values.items() if value}


def _read_item(
    element: etree._Element,
    position: int,
    base_url: str,
    warnings: list[str],
    attached: dict[str, tuple[WireImage, ...]],
) -> ParsedItem | NotText | None:
    """One newsItem as a ParsedItem (a NotText for video, audio, events and the
    like); None (and a warning) to skip it."""
    guid = collapse(element.get("guid"))
    if not guid:
        warnings.append(f"item {position} skipped: its newsItem has no guid")
        return None
    raw = serialize(element)
    if oversized(raw, position, guid, warnings):
        return None
    label = f"item {position} ({guid[:200]!r})"
    item_class = _item_class(element)
    item_kind = _item_kind(element)
    if item_kind not in (ItemKind.TEXT, ItemKind.PICTURE, ItemKind.GRAPHIC):
        return _not_text(element, item_kind)
    version: int | None = None
    if element.get("version") is not None:
        try:
            version = parse_int(element.get("version"), 1)
        except ValueError as error:
            warnings.append(f"{label}: version ignored, {error}")
    item_meta = element.find(_q("itemMeta"))
    meta = element.find(_q("contentMeta"))
    language = _language(element)

    pubstatus = PubStatus.USABLE
    status = _child(item_meta, "pubStatus")
    if status is not None:
        word = (status.get("qcode") or "").partition(":")[2].lower()
        if word in PUBSTATUS_WORDS:
            pubstatus = PUBSTATUS_WORDS[word]
        else:
            warnings.append(
                f"{label}: unknown pubStatus {status.get('qcode')!r}; read as usable"
            )

    headline = ""
    standfirst = ""
    headlines = list(meta.iterfind("n:headline", _N)) if meta is not None else []
    for element_headline in headlines:
        role = element_headline.get("role") or ""
        if not headline and role in ("", "hlrole:main", "hltype:main"):
            headline = _text(element_headline)
        elif not standfirst and role in ("hlrole:sub", "hlrole:subtitle"):
            standfirst = _text(element_headline)
    if not headline:  # only headlines of other roles (short, alternate, ...)
        headline = next(
            (_text(h) for h in headlines if _text(h) and _text(h) != standfirst), ""
        )
    if not headline:
        headline = _text(element.find("n:itemMeta/n:title", _N))
    # Wires put escaped HTML in headlines; what is left as text is the headline.
    headline = plain_text(headline)
    if not headline:
        warnings.append(f"{label} skipped: it has no headline")
        return None

    is_picture = item_class in PICTURE_CLASSES
    images: list[WireImage] = []
    if is_picture:
        image = _picture(element, base_url, language)
        if image is not None:
            images.append(image)
    images.extend(attached.get(guid, ()))
    for link in item_meta.iterfind("n:link", _N) if item_meta is not None else ():
        if (link.get("contenttype") or "").startswith("image/"):
            url = safe_url(link.get("href"), base_url)
            if url:
                images.append(WireImage(url=url, caption=_text(_child(link, "title"))))

    summary = ""
    byline = ""
    subjects: list[Subject] = []
    places: list[str] = []
    keywords: list[str] = []
    city = country = ""
    urgency: int | None = None
    if meta is not None:
        # A text's summary; a picture's caption serves when it has no summary.
        roles = (None, "drol:summary") + (("drol:caption",) if is_picture else ())
        for description in meta.iterfind("n:description", _N):
            if description.get("role") in roles:
                summary = _text(description)
                break
        by = _text(_child(meta, "by"))
        creators = [_name(c, language) for c in meta.iterfind("n:creator", _N)]
        byline = by or ", ".join(c for c in creators if c)
        urgency_element = _child(meta, "urgency")
        if urgency_element is not None:
            try:
                urgency = parse_int(_text(urgency_element), 1, 9)
            except ValueError as error:
                warnings.append(f"{label}: urgency ignored, {error}")
        dateline = _text(_child(meta, "dateline"))
        if dateline:
            city, country = split_dateline(dateline)
        for located in meta.iterfind("n:located", _N):
            located_name = _name(located, language)
            located_country = ""
            for broader in located.iterfind("n:broader", _N):
                if broader.get("type") in _COUNTRY_TYPES:
                    located_country = _name(broader, language)
            if located_name:
                places.append(located_name)
                if not city:
                    city, named_country = split_dateline(located_name)
                    located_country = located_country or named_country
            if located_country and not country:
                country = located_country
        for subject in meta.iterfind("n:subject", _N):
            kind = subject.get("type") or ""
            name = _name(subject, language)
            qcode = subject.get("qcode") or ""
            if kind in _GEO_TYPES:
                if name:
                    places.append(name)
            elif kind in _NOT_TOPICS:
                continue
            elif qcode.startswith("medtop:"):
                subjects.append(Subject(name=name or qcode, code=qcode))
            elif name:
                subjects.append(Subject(name=name))
        keywords = [_text(k) for k in meta.iterfind("n:keyword", _N) if _text(k)]
        if not keywords:
            slugline = _text(_child(meta, "slugline"))
            if slugline:
                keywords = [slugline]

    unread: list[str] = []
    body_html, nitf = item_body(element, headline, unread)
    if unread and not body_html:
        warnings.append(
            f"{label}: its text is {', '.join(dict.fromkeys(unread))}, "
            "which Herald does not read as a story"
        )
    if nitf is not None:
        byline = byline or nitf.byline
        standfirst = standfirst or nitf.subheadline
        if nitf.dateline and not city:
            city, country = split_dateline(nitf.dateline)
    if is_picture:
        standfirst = standfirst or summary
    elif not standfirst:
        standfirst = summary
    item = ParsedItem(
        guid=guid,
        headline=headline,
        body_html=body_html,
        raw=raw,
        standfirst=plain_text(standfirst),
        byline=clean_byline(plain_text(byline)),
        dateline_city=city,
        dateline_country=country,
        link="",
        language=language,
        version=version,
        first_created=_date(item_meta, "firstCreated", position, guid, warnings),
        updated_at=_date(
            item_meta, "versionCreated", position, guid, warnings, warn_missing=True
        ),
        embargo_until=_date(item_meta, "embargoed", position, guid, warnings),
        urgency=urgency,
        pubstatus=pubstatus,
        images=tuple(images),
        subjects=tuple(dict.fromkeys(subjects)),
        places=tuple(dict.fromkeys(places)),
        keywords=tuple(dict.fromkeys(keywords)),
        extra=_extra(element, item_meta, meta, item_class, language),
        kind=item_kind,
    )
    return finish_item(item, structured=bool(city), base_url=base_url)
