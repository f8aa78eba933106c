"""The conformance corpus (tests/data/conformance/): every public IPTC example and
feedparser's feed documents, each with the outcome it must have (a row of
tests/conformance/expected.json), and the whole corpus taken in through drop-folder
sources with auto-publish on: nothing published empty, no markup shown as text,
every item that is not text counted by kind, every unreadable file named."""

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from herald.core.sanitize import html_to_text
from herald.editions.models import Edition
from herald.ingest.models import FetchLog, ItemState, Source, WireItem
from herald.ingest.polling import poll_sources
from herald.ingest.storing import NO_TEXT
from herald.ingest.tests.factories import make_source
from herald.stories.models import Section, Story
from herald.stories.workflow import Status
from tests.conformance import CORPUS, EXPECTED_FILE, files, format_of, outcome

EXPECTED: dict[str, dict[str, Any]] = json.loads(
    EXPECTED_FILE.read_text(encoding="utf-8")
)
# "&lt;" followed by a tag name: markup escaped into the page's text.
MARKUP_AS_TEXT = re.compile(r"&lt;/?[a-zA-Z][\w.:-]*")


def test_every_file_has_a_row_and_every_row_a_file() -> None:
    assert sorted(EXPECTED) == files(), (
        "a file of the corpus without a row in expected.json, or a row without its "
        "file: run `python -m tests.conformance.table` and review the diff"
    )


@pytest.mark.parametrize("relative", files())
def test_a_file_reads_as_its_row_says(relative: str) -> None:
    assert outcome(relative) == EXPECTED.get(relative), (
        f"{relative} reads differently from its row in expected.json"
    )


def _drop_folders(tmp_path: Path) -> dict[str, Path]:
    """One drop folder per format, holding every corpus file of that format (the
    relative path flattened into the file name, as a folder source reads only
    its own files)."""
    folders: dict[str, Path] = {}
    for relative in files():
        fmt = format_of(relative)
        folder = folders.setdefault(fmt, tmp_path / fmt)
        folder.mkdir(exist_ok=True)
        shutil.copyfile(CORPUS / relative, folder / relative.replace("/", "__"))
    return folders


@pytest.mark.django_db
def test_the_whole_corpus_through_drop_folders(
    settings: Any, tmp_path: Path, japan: Edition, section: Section
) -> None:
    # The corpus names the agencies' real picture URLs, and tests have no network:
    # fetching pictures is herald/ingest/tests/test_wire_pictures.py's, on loopback.
    settings.HERALD_WIRE_PICTURES = False
    sources: dict[str, Source] = {}
    for fmt, folder in _drop_folders(tmp_path).items():
        source = make_source(
            f"corpus-{fmt}",
            name=f"Corpus {fmt}",
            agency="Corpus Wire",
            format=fmt,
            url="",
            drop_folder=str(folder),
            auto_publish=True,
        )
        source.default_editions.set([japan])
        source.default_sections.set([section])
        sources[fmt] = source
    poll_sources(list(sources.values()))

    for fmt, source in sources.items():
        rows = {r: EXPECTED[r] for r in files() if format_of(r) == fmt}
        log = FetchLog.objects.get(source=source)
        # Every item that is no text story is counted, by kind.
        kinds = Counter(k for row in rows.values() for k in row.get("not_text", []))
        assert Counter(log.items_not_text) == kinds, fmt
        # Every unreadable file is named on the source with its exact error, and
        # every skipped item with its message.
        errors = {r: row["error"] for r, row in rows.items() if "error" in row}
        assert log.documents_failed == len(errors), fmt
        for relative, message in errors.items():
            assert f"{relative.replace('/', '__')}: {message}" in log.message
        for relative, row in rows.items():
            for skipped in row.get("skipped", []):
                assert f"{relative.replace('/', '__')}: {skipped}" in log.message

    published = Story.objects.filter(status=Status.PUBLISHED)
    logs = FetchLog.objects.all()
    print(
        f"\ncorpus: {len(files())} files, {Story.objects.count()} stories "
        f"({published.count()} published), "
        f"{sum(log.items_duplicate for log in logs)} duplicates, "
        f"{WireItem.objects.count()} wire items, not text: "
        f"{dict(sum((Counter(log.items_not_text) for log in logs), Counter()))}, "
        f"{sum(log.documents_failed for log in logs)} unreadable files"
    )
    assert published.exists()
    # Nothing published empty: a headline-only item is kept for the desk, and every
    # item with text has its story (or joins a cluster that has one).
    empty = [s.headline for s in Story.objects.all() if not html_to_text(s.body)]
    assert empty == []
    for item in WireItem.objects.all():
        if not html_to_text(item.body_html).strip():
            # Held for the desk, or shown in the cluster of the news it flashes.
            assert item.story_id is None
            assert item.state == ItemState.DUPLICATE or item.note == NO_TEXT
        else:
            assert item.state in (ItemState.STORY, ItemState.DUPLICATE), item.note
    # No page shows markup as text.
    client = Client(HTTP_HOST="japan-herald.localhost")
    for story in published:
        response = client.get(story.get_absolute_url())
        assert response.status_code == 200, story.headline
        page = response.content.decode()
        article = page[page.index("<article") : page.index("</article>")]
        assert not MARKUP_AS_TEXT.search(article), (story.headline, article[:400])
