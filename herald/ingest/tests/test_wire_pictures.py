"""Agency pictures reach pages: a picture item goes into the picture library once,
with its words; a text item's pictures are fetched after the poll and attached to
its story; a picture that cannot be fetched or read is named, and costs nothing
else. Served by a real HTTP server on loopback, fetched by the safe fetcher."""

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from herald.core.tests.httpserver import Route, serve
from herald.editions.models import Edition
from herald.ingest.models import FetchLog, WirePicture
from herald.ingest.pictures import withdraw_expired_pictures
from herald.ingest.polling import poll_source
from herald.ingest.tests.factories import make_source
from herald.stories.models import Picture, Section, Story

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.loopback]


def jpeg(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 60, 30)).save(out, "JPEG")
    return out.getvalue()


def photo(uri: str, href: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "type": "picture",
        "version": "1",
        "versioncreated": "2026-12-07T09:00:00Z",
        "headlines": [{"role": "main", "value": "Flooded street in Sendai"}],
        "descriptions": [{"role": "caption", "value": "A flooded street in Sendai."}],
        "by": "Du Yu",
        "copyrightholder": "Xinhua",
        "copyrightnotice": "© 2026 Xinhua",
        "usageterms": "Editorial use only",
        "subjects": [{"name": "floods"}],
        "renditions": [{"href": href, "contenttype": "image/jpeg", "width": 800}],
    }


def story_with_picture(
    uri: str,
    href: str,
    headline: str = "Floods close Sendai schools",
    text: str = "SENDAI, Japan: Schools closed as rivers rose.",
) -> dict[str, Any]:
    return {
        "uri": uri,
        "type": "text",
        "version": "1",
        "versioncreated": "2026-12-07T09:05:00Z",
        "headlines": [{"role": "main", "value": headline}],
        "bodies": [{"contenttype": "text/html", "value": f"<p>{text}</p>"}],
        "associations": [photo(f"{uri}-pic", href)],
    }


def test_pictures_go_into_the_library_once_and_onto_their_stories(
    settings: Any, tmp_path: Path, japan: Edition, section: Section
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.HERALD_FETCH_TIMEOUT = 3
    routes = {
        "/flood.jpg": Route(body=jpeg(), content_type="image/jpeg"),
        "/page.html": Route(body=b"<html>not a picture</html>"),
    }
    folder = tmp_path / "drop"
    folder.mkdir()
    source = make_source(
        "xinhua",
        agency="Xinhua",
        picture_credit_format="{agency}/{photographer}",
        format="ninjs",
        url="",
        drop_folder=str(folder),
        auto_publish=True,
    )
    source.default_editions.set([japan])
    source.default_sections.set([section])
    with serve(routes) as server:
        documents = {
            "1-photo.json": photo("urn:x:photo:1", server.url("/flood.jpg")),
            "2-not-a-picture.json": photo("urn:x:photo:2", server.url("/page.html")),
            "3-missing.json": photo("urn:x:photo:3", server.url("/missing.jpg")),
            "4-story.json": story_with_picture(
                "urn:x:text:1", server.url("/flood.jpg")
            ),
            "5-story.json": story_with_picture(
                "urn:x:text:2",
                server.url("/flood.jpg"),
                "Osaka marathon draws record field",
                "OSAKA, Japan: Forty thousand runners took part on Sunday.",
            ),
        }
        for name, document in documents.items():
            (folder / name).write_text(json.dumps(document))
        first = poll_source(source)
        # The poll queued its pictures: none is fetched until a worker runs.
        assert not Picture.objects.exists()
        second = poll_source(source)  # the same files again: queued again
        call_command("worker", "--batch", verbosity=0)
        third = poll_source(source)  # once stored, never queued again
        call_command("worker", "--batch", verbosity=0)

    # The good picture item is in the library, with every word the agency gave.
    library = Picture.objects.filter(uses__isnull=True)
    (picture,) = library
    assert picture.caption == "A flooded street in Sendai."
    assert picture.credit == "Xinhua/Du Yu"  # the source's picture credit format
    assert picture.creator == "Du Yu"
    assert picture.rights == "© 2026 Xinhua Editorial use only"
    assert picture.keywords == "floods"
    assert (picture.width, picture.height) == (800, 600)
    # The story has its picture, fetched after the poll, re-encoded.
    story = Story.objects.get(headline="Floods close Sendai schools")
    assert Story.objects.count() == 2
    assert all(s.images.count() == 1 for s in Story.objects.all())
    image = story.images.get()
    assert image.caption == "A flooded street in Sendai."
    assert image.credit == "Xinhua/Du Yu" and image.width == 800
    # Every picture that failed is named on the poll; the rest went on.
    logs = list(FetchLog.objects.order_by("pk"))
    assert [log.pictures_stored for log in logs] == [1, 0, 0]
    assert (first.new, second.new, third.new) == (2, 0, 0)
    log = logs[0]
    assert log.outcome == "warning"
    assert "picture 'urn:x:photo:2': Not stored: The file is not a readable" in (
        log.message
    )
    assert (
        "picture 'urn:x:photo:3': Not stored:" in log.message and "404" in log.message
    )
    # The picture task announced its two stories' changes with one send, so one
    # task of each kind followed it (not one per story).
    related = DBTaskResult.objects.filter(task_path__endswith=".compute_related")
    assert related.count() == 2  # the poll's, and the picture task's
    notes = dict(WirePicture.objects.values_list("guid", "note"))
    assert notes["urn:x:photo:1"] == ""
    assert notes["urn:x:photo:2"].startswith("Not stored")
    assert WirePicture.objects.count() == 3
    assert Picture.objects.count() == 3  # the library's one, and each story's


def test_library_pictures_leave_when_the_source_s_rights_end(
    settings: Any, tmp_path: Path, japan: Edition, section: Section
) -> None:
    settings.HERALD_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.HERALD_FETCH_TIMEOUT = 3
    folder = tmp_path / "drop"
    folder.mkdir()
    source = make_source(
        "afp", agency="AFP", format="ninjs", url="", drop_folder=str(folder)
    )
    with serve({"/p.jpg": Route(body=jpeg(), content_type="image/jpeg")}) as server:
        (folder / "photo.json").write_text(
            json.dumps(photo("urn:afp:photo:1", server.url("/p.jpg")))
        )
        poll_source(source)
        call_command("worker", "--batch", verbosity=0)
    wire_picture = WirePicture.objects.get()
    assert wire_picture.picture is not None
    # No end to the rights: it stays.
    assert withdraw_expired_pictures() == 0
    source.expiry_days = 7
    source.save()
    assert withdraw_expired_pictures() == 0  # not yet
    later = timezone.now() + timedelta(days=8)
    assert withdraw_expired_pictures(later) == 1
    assert not Picture.objects.exists()
    wire_picture.refresh_from_db()
    assert wire_picture.picture is None
    assert "usage rights ended after 7 days" in wire_picture.note
    # Polled again, it is not fetched again.
    poll_source(source)
    call_command("worker", "--batch", verbosity=0)
    assert not Picture.objects.exists()
