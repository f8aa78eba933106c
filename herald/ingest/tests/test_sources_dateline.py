"""Dateline extraction from leads and from structured dateline fields."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald.ingest.sources.dateline import extract_dateline, split_dateline


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("TOKYO, Japan: The quake hit.", ("Tokyo", "Japan", "The quake hit.")),
        ("TOKYO (Reuters) - Shares fell.", ("Tokyo", "", "Shares fell.")),
        ("TOKYO, May 3 (AP) — Rain fell.", ("Tokyo", "", "Rain fell.")),
        ("TOKYO, Japan, May 3 (AP) — Rain.", ("Tokyo", "Japan", "Rain.")),
        ("GROSSETO, Italy (AP) -- The trial", ("Grosseto", "Italy", "The trial")),
        ("NEW YORK, N.Y. (AP) – Stocks rose.", ("New York", "N.Y.", "Stocks rose.")),
        ("ST. LOUIS, Mo., Monday (AP) - A", ("St. Louis", "Mo.", "A")),
        ("SÃO PAULO (Reuters) - Brazil", ("São Paulo", "", "Brazil")),
        ("WASHINGTON — The Senate", ("Washington", "", "The Senate")),
        ("WINSTON-SALEM, N.C. — A", ("Winston-Salem", "N.C.", "A")),
        ("Washington (AP) - The Senate", ("Washington", "", "The Senate")),
        ("LA (Reuters) - Fires", ("LA", "", "Fires")),
        ("(New York, NY - October 21) Stocks", ("New York", "NY", "Stocks")),
        ("  KYIV: Sirens sounded.", ("Kyiv", "", "Sirens sounded.")),
    ],
)
def test_leads_give_city_country_and_the_rest(
    lead: str, expected: tuple[str, str, str]
) -> None:
    assert extract_dateline(lead) == expected


@pytest.mark.parametrize(
    "text",
    [
        "BREAKING: Big news",
        "UPDATE 2-Markets fall",
        "The minister said: no",
        "However, he said - nothing",
        "U.S. - China talks resume",
        "TOKYO",
        "Tokyo - a city of millions",
        "",
        "   ",
        "(Reuters) - Nothing",
        "A: b",
    ],
)
def test_text_without_a_dateline_comes_back_untouched(text: str) -> None:
    assert extract_dateline(text) == ("", "", text)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("MOSCOW, Monday (Reuters)", ("Moscow", "")),
        ("Grossetto, Italy", ("Grossetto", "Italy")),
        ("New York, NY", ("New York", "United States")),
        ("BERLIN, Germany, May 3 (dpa) -", ("Berlin", "Germany")),
        ("New York, NY, USA", ("New York", "USA")),
        ("Monday", ("", "")),
        ("", ("", "")),
    ],
)
def test_structured_fields_give_city_and_country(
    field: str, expected: tuple[str, str]
) -> None:
    assert split_dateline(field) == expected


lead_parts = st.text(
    alphabet=st.sampled_from(list("ABCXYZ ÉÖ.,-—–:()'abcxyz0123 \n\t")), max_size=60
)


@given(st.text(max_size=300))
def test_extract_dateline_never_raises_and_never_loses_text(text: str) -> None:
    city, country, rest = extract_dateline(text)
    if not city:
        assert (country, rest) == ("", text)
    else:
        # Only the dateline itself is taken off: the rest is the text's own tail.
        assert text.endswith(rest)
        assert len(rest) < len(text)
        assert city.casefold() in text.casefold()


@given(lead_parts, st.text(max_size=80))
def test_dateline_shaped_leads_never_raise_or_lose_text(lead: str, tail: str) -> None:
    text = lead + tail
    city, country, rest = extract_dateline(text)
    assert text.endswith(rest)
    if not city:
        assert rest == text and country == ""
    else:
        assert city.casefold() in text.casefold()
        assert country.casefold() in text.casefold()


@given(st.text(max_size=200))
def test_split_dateline_never_raises(field: str) -> None:
    city, country = split_dateline(field)
    assert isinstance(city, str) and isinstance(country, str)


def test_only_the_opening_is_read_however_long_the_text() -> None:
    story = "word " * 200_000
    assert extract_dateline("TOKYO (Reuters) - " + story) == ("Tokyo", "", story)
    assert extract_dateline(story) == ("", "", story)
    # A "dateline" that would need more than the opening is no dateline.
    assert extract_dateline("A" * 400 + " - x")[0] == ""
    assert split_dateline("MOSCOW, " + "x" * 400) == ("", "")
