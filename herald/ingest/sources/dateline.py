"""Datelines: the "TOKYO, Japan:" or "TOKYO (Reuters) -" that opens wire copy."""

import re

# A lead dateline: a place in capitals, optional ", Country" and ", May 3" parts,
# an optional "(Agency)", then a colon or a dash and the story.
_LEAD = re.compile(
    r"""
    \A(?P<space>\s*)
    (?P<city>[^\W\d_](?:[^\W\d_]|[ '’.\-])*?)
    (?P<parts>(?:\s*,\s*[^,:;()\n—–\-]{1,40}?){0,2})
    \s*(?:\((?P<agency>[^()\n]{1,40})\))?
    \s*(?P<sep>:|--|—|–|-)(?P<after>\s+|\Z)
    """,
    re.VERBOSE,
)
# A dateline in brackets before the story: "(New York, NY - October 21) The ...".
_BRACKETED = re.compile(
    r"""
    \A\s*\(
    (?P<city>[^\W\d_][^(),\n\-—–]{1,39}?)
    (?:\s*,\s*(?P<country>[^(),\n\-—–]{1,30}?))?
    \s*(?:-|–|—|,)\s*(?P<date>[^()\n]{1,30}?)\s*\)
    (?P<after>\s+|\Z)
    """,
    re.VERBOSE,
)
# The same, for a structured dateline field: "MOSCOW, Monday (Reuters)".
_FIELD = re.compile(
    r"""
    \A\s*(?P<city>[^,()\n]+?)
    (?P<parts>(?:\s*,\s*[^,()\n]+?)*)
    \s*(?:\((?P<agency>[^()\n]*)\))?
    [\s:\-—–]*\Z
    """,
    re.VERBOSE,
)
_MAX_CITY = 40
_MAX_CITY_WORDS = 4
# Capitalised words that open wire copy but are no place.
_NOT_PLACES = frozenset(
    {
        "ADVISORY",
        "ALERT",
        "ANALYSIS",
        "BREAKING",
        "BULLETIN",
        "CORRECTED",
        "CORRECTION",
        "EDITORS",
        "EDITOR'S NOTE",
        "EXCLUSIVE",
        "FACTBOX",
        "FLASH",
        "INSIGHT",
        "NOTE",
        "PHOTO",
        "REFILE",
        "UPDATE",
        "UPDATED",
        "URGENT",
        "VIDEO",
        "WRAPUP",
    }
)
_DATE_WORDS = frozenset(
    {
        *("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept"),
        *("oct", "nov", "dec", "january", "february", "march", "april", "june"),
        *("july", "august", "september", "october", "november", "december"),
        *("mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"),
        *("sunday", "today", "yesterday", "tomorrow"),
    }
)


def _is_date(part: str) -> bool:
    """True for the date part of a dateline: "May 3", "Monday", "3 May 2025"."""
    words = re.findall(r"[^\W_]+", part.casefold())
    if not words:
        return True
    return any(word.isdigit() or word.rstrip(".") in _DATE_WORDS for word in words)


def _place_name(text: str) -> str:
    """A place as a reader would write it: "NEW YORK" becomes "New York"."""
    text = " ".join(text.split()).strip(" ,-")
    long_word = any(len(word) >= 4 for word in re.findall(r"[^\W\d_]+", text))
    if long_word and text == text.upper() and text != text.lower():
        return text.title()
    return text


def _split_parts(parts: str) -> tuple[str, list[str]]:
    """The country among the comma parts (the first that is not a date), and the
    date parts."""
    country = ""
    dates: list[str] = []
    for part in (p.strip() for p in parts.split(",")):
        if not part:
            continue
        if _is_date(part):
            dates.append(part)
        elif not country:
            country = part
        else:
            return "", []  # more than one non-date part: not a dateline we know
    return country, dates


_WINDOW = 300


def _cut_short(match: re.Match[str], window: str, text: str) -> bool:
    """Whether `match` only ended because the window did (at \\Z)."""
    return match.end() == len(window) and len(text) > len(window)


def extract_dateline(text: str) -> tuple[str, str, str]:
    """Split a lead like "TOKYO, Japan: The ..." into ("Tokyo", "Japan", "The ...").

    Recognises "CITY:", "CITY, Country:", "CITY (Agency) -", "CITY, May 3 (AP) —",
    "CITY, Country (AP) --" and "(City, Country - May 3)". The city must be in
    capitals (or in title case when an agency follows). Agency and date parts
    are dropped. Without a dateline the answer is ("", "", text), with `text`
    untouched. Never raises.
    """
    # A dateline is short: look only at the opening, so a megabyte of text costs
    # no more than a line. A match that ends at the window's edge is no match.
    window = text[:_WINDOW]
    bracketed = _BRACKETED.match(window)
    if bracketed is not None and _cut_short(bracketed, window, text):
        bracketed = None
    if bracketed is not None:
        city = bracketed.group("city").strip()
        country = (bracketed.group("country") or "").strip()
        if (
            _is_date(bracketed.group("date"))
            and not _is_date(city)
            and all(word[:1].isupper() for word in city.split())
            and len(city.split()) <= _MAX_CITY_WORDS
        ):
            return _place_name(city), _place_name(country), text[bracketed.end() :]
    match = _LEAD.match(window)
    if match is None or _cut_short(match, window, text):
        return "", "", text
    city_raw = match.group("city").strip()
    agency = match.group("agency")
    if (
        len(city_raw) > _MAX_CITY
        or len(city_raw.split()) > _MAX_CITY_WORDS
        or not re.search(r"[^\W\d_]{2}", city_raw)
        or city_raw.upper() in _NOT_PLACES
    ):
        return "", "", text
    capitals = city_raw == city_raw.upper()
    titled = all(word[:1].isupper() for word in city_raw.split())
    if not (capitals or (agency is not None and titled)):
        return "", "", text
    country, _dates = _split_parts(match.group("parts"))
    if match.group("parts").strip(" ,") and not country and not _dates:
        return "", "", text
    if country and not country[:1].isupper():
        return "", "", text
    return _place_name(city_raw), _place_name(country), text[match.end() :]


# US datelines name the state, not the country: "New York, NY".
_US_STATES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
        "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
        "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
        "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    }
)  # fmt: skip


def split_dateline(field: str) -> tuple[str, str]:
    """(city, country) from a structured dateline or location field, such as
    "MOSCOW, Monday (Reuters)" or "Grossetto, Italy". Never raises."""
    if len(field) > _WINDOW:
        return "", ""
    match = _FIELD.match(field)
    if match is None:
        return "", ""
    city = match.group("city")
    if _is_date(city):
        return "", ""
    country, _dates = _split_parts(match.group("parts"))
    if not country and match.group("parts").strip(" ,") and not _dates:
        # "New York, NY, USA": keep the last part as the country.
        country = match.group("parts").split(",")[-1]
    if country.strip() in _US_STATES:
        country = "United States"
    return _place_name(city), _place_name(country)
