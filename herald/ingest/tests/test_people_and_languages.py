"""An agency's writer and language reach the story: on its page (byline beside
the agency's credit, never a name twice; the article in its own language), in
its JSON-LD and in the ninjs the API serves."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from herald.editions.models import Edition
from herald.ingest.sources import ParsedItem, parse
from herald.ingest.storing import Context, ingest_item
from herald.ingest.tests.factories import make_item, make_source
from herald.stories.models import Section, Story
from herald.syndication.api.ninjs import story_item
from herald.syndication.structured import news_article

pytestmark = pytest.mark.django_db

DPA = Path(settings.BASE_DIR) / "tests/data/conformance/ninjs/3.x/3.0_dpa_text.json"


def _story_from(
    agency: str, item: ParsedItem, japan: Edition, section: Section
) -> Story:
    source = make_source(
        agency.lower(), agency=agency, credit_format="({agency})", auto_publish=True
    )
    source.default_editions.set([japan])
    source.default_sections.set([section])
    ingest_item(Context.for_source(source), item)
    return Story.objects.get()


def test_dpa_s_writer_and_german_reach_the_page_json_ld_and_ninjs(
    japan: Edition, section: Section
) -> None:
    (item,) = parse("ninjs", DPA.read_bytes()).items
    story = _story_from("dpa", item, japan, section)
    # "Von Christian Hollmann, dpa": the "Von" and the agency's own name go.
    assert story.wire_byline == "Christian Hollmann"
    assert story.byline == "By Christian Hollmann (dpa)"
    assert story.language == "de"

    page = Client(HTTP_HOST="japan-herald.localhost").get(story.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert '<article class="story" lang="de">' in html
    assert "By Christian Hollmann (dpa)" in html
    assert html.count("Hollmann") == 2  # the byline, and the JSON-LD's author

    data = news_article(story, japan, None)
    assert data["inLanguage"] == "de"
    assert data["author"] == [
        {"@type": "Person", "name": "Christian Hollmann"},
        {"@type": "Organization", "name": "dpa"},
    ]
    ninjs = story_item(story, edition=japan, request=None)
    assert ninjs["language"] == "de"
    assert ninjs["by"] == "By Christian Hollmann (dpa)"
    json.dumps(ninjs)  # serialisable as served


@pytest.mark.parametrize(
    ("byline", "credit_format", "shown"),
    [
        ("NTB", "({agency})", "NTB"),  # the agency alone: named once
        ("", "({agency})", "NTB"),
        ("Trond Husø", "({agency})", "By Trond Husø (NTB)"),
        ("Trond Husø", "({byline}/{agency})", "Trond Husø/NTB"),
    ],
)
def test_a_name_is_never_shown_twice(
    byline: str, credit_format: str, shown: str, japan: Edition, section: Section
) -> None:
    source = make_source(
        "ntb", agency="NTB", credit_format=credit_format, auto_publish=True
    )
    source.default_editions.set([japan])
    source.default_sections.set([section])
    ingest_item(Context.for_source(source), make_item(byline=byline, language="nb-NO"))
    story = Story.objects.get()
    assert story.byline == shown
    assert story.language == "nb-NO"


def test_a_language_that_is_no_tag_is_left_to_the_edition(
    japan: Edition, section: Section
) -> None:
    story = _story_from("Acme", make_item(language="English, mostly"), japan, section)
    assert story.language == ""
    assert story.language_on(japan) == japan.language
