"""What a poll reports: every problem with its file, items that are no text story
by kind, duplicates; `herald ingest --once` says it per source and exits 1 when a
source failed, even when some of its files were good."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from herald.editions.models import Edition
from herald.ingest.models import FetchLog
from herald.ingest.tests.factories import make_source
from herald.stories.models import Section

pytestmark = pytest.mark.django_db

NAR = "http://iptc.org/std/nar/2006-10-01/"
TEXT = f"""<newsItem xmlns="{NAR}" guid="urn:t:1" version="1">
  <itemMeta><itemClass qcode="ninat:text"/>
    <versionCreated>2026-12-07T10:00:00Z</versionCreated></itemMeta>
  <contentMeta><headline>Port reopens</headline></contentMeta>
  <contentSet><inlineXML contenttype="application/xhtml+xml">
    <html xmlns="http://www.w3.org/1999/xhtml"
      ><body><p>The port reopened.</p></body></html>
  </inlineXML></contentSet></newsItem>"""
VIDEO = f"""<newsItem xmlns="{NAR}" guid="urn:v:1" version="1">
  <itemMeta><itemClass qcode="ninat:video"/></itemMeta></newsItem>"""
FLASH = f"""<newsItem xmlns="{NAR}" guid="urn:f:1" version="1">
  <itemMeta><itemClass qcode="ninat:text"/></itemMeta>
  <contentMeta><headline>FLASH: quake off Aomori</headline></contentMeta></newsItem>"""


def test_ingest_once_reports_every_problem_by_file_and_exits_1(
    tmp_path: Path, japan: Edition, section: Section
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "1-text.xml").write_text(TEXT)
    (folder / "2-video.xml").write_text(VIDEO)
    (folder / "3-flash.xml").write_text(FLASH)
    (folder / "4-broken.xml").write_text("<newsItem")
    (folder / "5-planning.xml").write_text(f'<planningItem xmlns="{NAR}" guid="p"/>')
    source = make_source(
        "acme", format="newsml-g2", url="", drop_folder=str(folder), auto_publish=True
    )
    source.default_editions.set([japan])
    source.default_sections.set([section])
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 sources had errors: acme") as exc:
        call_command("ingest", "--once", stdout=out, stderr=io.StringIO())
    assert exc.value.returncode == 1
    printed = out.getvalue()
    assert (
        "acme: 2 new, 0 updated, 0 ignored; not text: 1 planning, 1 video; "
        "1 unreadable documents" in printed
    )
    log = FetchLog.objects.get(source=source)
    assert (log.items_new, log.items_duplicate, log.documents_failed) == (2, 0, 1)
    assert log.items_not_text == {"video": 1, "planning": 1}
    assert log.message.startswith("4-broken.xml: not well-formed XML")
    source.refresh_from_db()
    assert source.last_error.startswith("4-broken.xml:")
    # The headline-only flash is kept for the desk, never a story.
    flash = source.items.get(guid="urn:f:1")
    assert flash.story_id is None and flash.note.startswith("No text")
    story = source.items.get(guid="urn:t:1").story
    assert story is not None and story.body == "<p>The port reopened.</p>"
