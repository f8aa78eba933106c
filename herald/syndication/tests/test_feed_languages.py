"""A story in another language than its edition's says so in every feed: Atom's
xml:lang on its entry, RSS's Dublin Core dc:language on its item; a story in the
edition's language carries neither."""

import pytest
from django.test import Client

from herald.stories.tests.factories import StoryFactory
from herald.syndication.tests.feeds_support import (
    ATOM,
    JAPAN,
    get_feed,
    parse_feed,
    parse_xml,
    publish_at,
)

pytestmark = pytest.mark.django_db

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC_LANGUAGE = "{http://purl.org/dc/elements/1.1/}language"


def test_an_entry_in_another_language_says_so_in_atom_and_rss(
    make_story: StoryFactory,
) -> None:
    german = publish_at(
        make_story(headline="Schiedsrichter hatte recht", language="de")
    )
    english = publish_at(make_story(headline="Harbour reopens", language=""))
    client = Client(HTTP_HOST=JAPAN)

    atom = parse_xml(get_feed(client, "feeds:latest_atom").content)
    entries = {
        e.findtext(f"{ATOM}title"): e.get(XML_LANG) for e in atom.iter(f"{ATOM}entry")
    }
    assert entries == {german.headline: "de", english.headline: None}

    response = get_feed(client, "feeds:latest_rss")
    parse_feed(response)  # still well-formed, valid RSS for feedparser
    rss = parse_xml(response.content)
    items = {i.findtext("title"): i.findtext(DC_LANGUAGE) for i in rss.iter("item")}
    assert items == {german.headline: "de", english.headline: None}
