"""The picture library and a story's pictures: renditions cropped around the focal
point, pictures reused across stories, words that follow the library until a story
changes them, files replaced without a half-state, bad uploads refused with nothing
stored, the desk's library and the story form's pictures, and the migration that
put every story image into the library."""

import io
import struct
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, RequestFactory
from django.urls import reverse
from PIL import Image

from herald.accounts.models import User
from herald.core.images import crop_box, make_renditions
from herald.core.tests.migrations import latest, migrate
from herald.editions.models import Edition
from herald.stories import actions
from herald.stories.admin.pictures import StoryImageInline
from herald.stories.models import Picture, Story, StoryEvent, StoryImage
from herald.stories.signals import story_changed
from herald.stories.tests.factories import StoryFactory

RED, BLUE = (220, 20, 20), (20, 40, 200)


# --- real image bytes ----------------------------------------------------------
def _encoded(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def jpeg(width: int = 1200, height: int = 800, colour: Any = BLUE) -> bytes:
    return _encoded(Image.new("RGB", (width, height), colour), "JPEG")


def panorama(mark_at: float = 0.9) -> bytes:
    """A 3000×1000 blue PNG with a red post 200 px wide centred at `mark_at` of
    its width: only a crop around that point shows red."""
    image = Image.new("RGB", (3000, 1000), BLUE)
    centre = int(3000 * mark_at)
    image.paste(RED, (centre - 100, 0, centre + 100, 1000))
    return _encoded(image, "PNG")


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels but holds none: opening it reads
    the size, so no test allocates the pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def reds(file: Any) -> int:
    """How many sampled pixels of a stored JPEG are red."""
    with file.open("rb") as f, Image.open(f) as image:
        return _red_pixels(image.convert("RGB").resize((60, 20)))


def _red_pixels(image: Image.Image) -> int:
    raw = image.tobytes()
    return sum(
        1
        for i in range(0, len(raw), 3)
        if raw[i] > 150 and raw[i + 1] < 90 and raw[i + 2] < 90
    )


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def exists(name: str) -> bool:
    return (Path(settings.MEDIA_ROOT) / name).is_file()


def attach(story: Story, by: User | None, data: bytes | None = None) -> StoryImage:
    return actions.attach_image(
        story,
        by=by,
        upload=io.BytesIO(data or jpeg()),
        caption="The harbour at dawn.",
        credit="Herald/Staff",
        alt_text="Boats moored in a calm harbour",
    )


@pytest.fixture
def announced() -> Iterator[list[int]]:
    """The story ids story_changed announced (a real receiver of the signal)."""
    seen: list[int] = []

    def receiver(sender: Any, story_ids: list[int], **kwargs: Any) -> None:
        seen.extend(story_ids)

    story_changed.connect(receiver, dispatch_uid="test_pictures")
    yield seen
    story_changed.disconnect(dispatch_uid="test_pictures")


# --- the crop ------------------------------------------------------------------
@pytest.mark.parametrize(
    "size", [(1500, 1000), (1920, 1080), (2000, 1000), (800, 1000), (1000, 1000)]
)
def test_pictures_whose_shape_fits_the_pages_are_never_cropped(
    size: tuple[int, int],
) -> None:
    width, height = size
    for focal in ((0.0, 0.0), (0.5, 0.5), (1.0, 1.0)):
        assert crop_box(width, height, focal=focal) == (0, 0, width, height)


def test_a_panorama_is_cut_to_two_by_one_around_its_focal_point() -> None:
    assert crop_box(3000, 1000, focal=(0.5, 0.5)) == (500, 0, 2500, 1000)
    assert crop_box(3000, 1000, focal=(0.6, 0.5)) == (800, 0, 2800, 1000)
    # Centred where the edges allow, and never outside the picture.
    assert crop_box(3000, 1000, focal=(0.9, 0.5)) == (1000, 0, 3000, 1000)
    assert crop_box(3000, 1000, focal=(0.0, 0.5)) == (0, 0, 2000, 1000)


def test_a_tall_portrait_is_cut_to_four_by_five_around_its_focal_point() -> None:
    assert crop_box(800, 2000, focal=(0.5, 0.5)) == (0, 500, 800, 1500)
    assert crop_box(800, 2000, focal=(0.5, 0.1)) == (0, 0, 800, 1000)
    assert crop_box(800, 2000, focal=(0.5, 0.7)) == (0, 900, 800, 1900)


def test_renditions_keep_the_focal_point_in_frame() -> None:
    centred = {r.name: r for r in make_renditions(io.BytesIO(panorama(0.9)))}
    focused = {
        r.name: r for r in make_renditions(io.BytesIO(panorama(0.9)), focal=(0.9, 0.5))
    }
    for renditions in (centred, focused):
        assert (renditions["large"].width, renditions["large"].height) == (1600, 800)
        assert (renditions["small"].width, renditions["small"].height) == (400, 200)

    def red_share(content: bytes) -> float:
        with Image.open(io.BytesIO(content)) as image:
            return _red_pixels(image.convert("RGB").resize((100, 50))) / 5000

    assert red_share(centred["large"].content) == 0
    # The post (a fifteenth of the picture) fills a tenth of the 2:1 crop.
    assert 0.07 < red_share(focused["large"].content) < 0.13


# --- the library and a story's pictures (actions) -------------------------------
@pytest.mark.django_db
def test_an_upload_becomes_a_library_picture_and_the_storys_use_of_it(
    make_story: StoryFactory, admin_user: User, announced: list[int]
) -> None:
    story = make_story()
    with_files = stored_files()
    use = attach(story, admin_user, jpeg(4000, 2000))
    picture = use.picture
    assert picture is not None
    assert (picture.width, picture.height) == (3200, 1600)  # uncropped library copy
    assert (picture.caption, picture.credit, picture.alt_text) == (
        use.caption,
        use.credit,
        use.alt_text,
    )
    assert picture.uploaded_by == admin_user and picture.focal == (0.5, 0.5)
    assert (use.width, use.height) == (1600, 800)
    new = stored_files() - with_files
    assert len(new) == 5  # original, preview, and the use's three renditions
    assert all(name.endswith(".jpg") for name in new)
    event = StoryEvent.objects.filter(story=story, action="picture").get()
    assert event.by == admin_user and "added" in event.note


@pytest.mark.django_db(transaction=True)
def test_a_change_to_a_storys_pictures_is_announced_after_commit(
    make_story: StoryFactory, admin_user: User, announced: list[int]
) -> None:
    story = make_story()
    announced.clear()
    before = Story.objects.get(pk=story.pk).modified_at
    attach(story, admin_user)
    assert announced == [story.pk]
    assert Story.objects.get(pk=story.pk).modified_at > before


@pytest.mark.django_db
def test_a_library_picture_is_reused_with_its_words_or_the_storys_own(
    make_story: StoryFactory, admin_user: User
) -> None:
    first, second, third = make_story(), make_story(), make_story()
    picture = attach(first, admin_user).picture
    assert picture is not None
    reused = actions.attach_picture(second, by=admin_user, picture=picture)
    assert (reused.caption, reused.credit, reused.alt_text) == (
        picture.caption,
        picture.credit,
        picture.alt_text,
    )
    own = actions.attach_picture(
        third, by=admin_user, picture=picture, caption="The same harbour, later."
    )
    assert own.caption == "The same harbour, later." and own.credit == picture.credit
    assert picture.uses.count() == 3
    assert len({u.large.name for u in picture.uses.all()}) == 3


@pytest.mark.django_db
def test_new_words_in_the_library_reach_only_uses_that_kept_the_librarys(
    make_story: StoryFactory, admin_user: User
) -> None:
    first, second = make_story(), make_story()
    kept = attach(first, admin_user)
    picture = kept.picture
    assert picture is not None
    changed = actions.attach_picture(second, by=admin_user, picture=picture)
    actions.update_story_image(
        changed,
        by=admin_user,
        caption="Our own caption.",
        credit=changed.credit,
        alt_text=changed.alt_text,
    )
    actions.update_picture(
        picture,
        by=admin_user,
        caption="Fishing boats at dawn, Osaka.",
        credit="Photo: Aiko Tanaka",
        alt_text=picture.alt_text,
        focal_x=0.5,
        focal_y=0.5,
    )
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert (kept.caption, kept.credit) == (
        "Fishing boats at dawn, Osaka.",
        "Photo: Aiko Tanaka",
    )
    # The story's own caption stays; the credit it never changed follows.
    assert (changed.caption, changed.credit) == (
        "Our own caption.",
        "Photo: Aiko Tanaka",
    )


@pytest.mark.django_db
def test_a_new_focal_point_recrops_every_use_and_drops_old_files_after_commit(
    make_story: StoryFactory,
    admin_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second = make_story(), make_story()
    use = attach(first, admin_user, panorama(0.9))
    picture = use.picture
    assert picture is not None
    other = actions.attach_picture(second, by=admin_user, picture=picture)
    assert reds(use.large) == 0 and reds(other.large) == 0
    old = [getattr(u, f).name for u in (use, other) for f in ("large", "small")]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.update_picture(
            picture,
            by=admin_user,
            caption=picture.caption,
            credit=picture.credit,
            alt_text=picture.alt_text,
            focal_x=0.9,
            focal_y=0.5,
        )
        # Before the commit: the rows name the new files, and the old ones remain.
        for row in (use, other):
            row.refresh_from_db()
            assert reds(row.large) > 0 and exists(row.large.name)
        assert all(exists(name) for name in old)
    for callback in callbacks:
        callback()
    assert not any(exists(name) for name in old)
    assert exists(use.large.name) and exists(use.medium.name)
    picture.refresh_from_db()
    assert picture.focal == (0.9, 0.5)
    assert exists(picture.original.name)  # the library's copy is never re-cropped
    assert StoryEvent.objects.filter(story=second, action="picture").count() == 2


@pytest.mark.django_db
def test_a_focal_point_that_cannot_be_rendered_changes_nothing(
    make_story: StoryFactory, admin_user: User
) -> None:
    use = attach(make_story(), admin_user, panorama(0.9))
    picture = use.picture
    assert picture is not None
    picture.original.storage.delete(picture.original.name)
    files = stored_files()
    with pytest.raises(ValidationError):
        actions.update_picture(
            picture,
            by=admin_user,
            caption="A new caption.",
            credit=picture.credit,
            alt_text=picture.alt_text,
            focal_x=0.9,
            focal_y=0.5,
        )
    picture.refresh_from_db()
    use.refresh_from_db()
    assert picture.caption == "The harbour at dawn." and picture.focal == (0.5, 0.5)
    assert use.caption == "The harbour at dawn." and exists(use.large.name)
    assert stored_files() == files


@pytest.mark.django_db
def test_files_another_row_still_names_are_kept(
    make_story: StoryFactory,
    admin_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    use = attach(make_story(), admin_user, panorama(0.9))
    # The demo shares one upload's renditions between stories, without a picture.
    shared = StoryImage.objects.create(
        story=make_story(),
        caption=use.caption,
        credit=use.credit,
        alt_text=use.alt_text,
        width=use.width,
        height=use.height,
        large=use.large.name,
        medium=use.medium.name,
        small=use.small.name,
    )
    picture = use.picture
    assert picture is not None
    with django_capture_on_commit_callbacks(execute=True):
        actions.remove_story_image(use, by=admin_user)
    assert not StoryImage.objects.filter(pk=use.pk).exists()
    assert exists(shared.large.name) and exists(shared.small.name)
    assert Picture.objects.filter(pk=picture.pk).exists()  # the library keeps it


@pytest.mark.django_db
def test_removing_a_picture_from_a_story_drops_its_renditions_after_commit(
    make_story: StoryFactory,
    admin_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    story = make_story()
    use = attach(story, admin_user)
    names = [use.large.name, use.medium.name, use.small.name]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.remove_story_image(use, by=admin_user)
        assert all(exists(name) for name in names)
    for callback in callbacks:
        callback()
    assert not any(exists(name) for name in names)
    assert story.images.count() == 0
    assert exists(Picture.objects.get().original.name)


@pytest.mark.django_db
def test_pictures_are_reordered_and_a_partial_order_is_refused(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    a, b, c = (attach(story, admin_user) for _ in range(3))
    assert [i.pk for i in story.images.all()] == [a.pk, b.pk, c.pk]
    actions.reorder_story_images(story, by=admin_user, order=[c.pk, a.pk, b.pk])
    assert [i.pk for i in story.images.all()] == [c.pk, a.pk, b.pk]
    with pytest.raises(ValidationError):
        actions.reorder_story_images(story, by=admin_user, order=[a.pk, b.pk])


@pytest.mark.django_db
def test_a_published_storys_pictures_need_alt_text_and_a_drafts_may_wait(
    make_story: StoryFactory, admin_user: User
) -> None:
    draft, published = make_story(publish=False), make_story()
    for story in (draft, published):
        attach(story, admin_user)
    draft_use, published_use = draft.images.get(), published.images.get()
    actions.update_story_image(
        draft_use, by=admin_user, caption="c", credit="c", alt_text=""
    )
    with pytest.raises(ValidationError, match="alt text"):
        actions.require_alt_text(draft)
    with pytest.raises(ValidationError, match="alt text"):
        actions.update_story_image(
            published_use, by=admin_user, caption="c", credit="c", alt_text="  "
        )
    assert published.images.get().alt_text == "Boats moored in a calm harbour"


@pytest.mark.django_db
def test_pictures_change_only_by_people_who_may_edit_every_story_using_them(
    make_story: StoryFactory,
    admin_user: User,
    japan_editor: User,
    india_editor: User,
    japan_writer: User,
    india: Edition,
) -> None:
    japan_story = make_story(by=japan_editor)
    india_story = make_story(by=india_editor, editions=[india])
    picture = attach(japan_story, japan_editor).picture
    assert picture is not None
    with pytest.raises(PermissionDenied):
        attach(japan_story, india_editor)
    with pytest.raises(PermissionDenied):
        actions.attach_picture(japan_story, by=japan_writer, picture=picture)
    assert actions.can_change_picture(japan_editor, picture)
    assert not actions.can_change_picture(japan_writer, picture)
    actions.attach_picture(india_story, by=india_editor, picture=picture)
    # Now on an India story too: the Japan editor may no longer change it for both.
    assert not actions.can_change_picture(japan_editor, picture)
    with pytest.raises(PermissionDenied):
        actions.update_picture(
            picture,
            by=japan_editor,
            caption="Changed.",
            credit=picture.credit,
            alt_text=picture.alt_text,
            focal_x=0.2,
            focal_y=0.2,
        )
    assert actions.can_change_picture(admin_user, picture)


# --- bad uploads -----------------------------------------------------------------
BAD_UPLOADS = [
    pytest.param(b"%PDF-1.4 not an image", "not a readable", id="not-an-image"),
    pytest.param(
        b'<svg xmlns="http://www.w3.org/2000/svg"/>', "not a readable", id="svg"
    ),
    pytest.param(jpeg(1200, 800)[:3000], "not a readable", id="truncated"),
    pytest.param(png_header(30_000, 30_000), "pixels", id="decompression-bomb"),
    pytest.param(png_header(8_000, 6_000), "pixels", id="huge-dimensions"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "message"), BAD_UPLOADS)
def test_a_bad_upload_to_the_library_is_a_form_error_and_nothing_is_stored(
    payload: bytes, message: str, admin_user: User
) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:stories_picture_add"),
        {
            "upload": upload(payload),
            "caption": "A caption.",
            "credit": "A credit.",
            "alt_text": "An alt text.",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Picture.objects.count() == 0 and stored_files() == set()


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "message"), BAD_UPLOADS)
def test_a_bad_upload_on_the_story_form_is_a_form_error_and_nothing_is_stored(
    payload: bytes, message: str, make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    formset = inline_formset(
        story,
        admin_user,
        [{"caption": "c", "credit": "c", "alt_text": "a", "position": "0"}],
        files={"images-0-upload": upload(payload)},
    )
    assert not formset.is_valid()
    assert message in str(formset.errors)
    assert StoryImage.objects.count() == 0 and Picture.objects.count() == 0
    assert stored_files() == set()


# --- the desk: the library --------------------------------------------------------
@pytest.mark.django_db
def test_the_library_lists_thumbnails_and_searches_caption_and_credit(
    make_story: StoryFactory, admin_user: User
) -> None:
    story = make_story()
    attach(story, admin_user)
    actions.create_picture(
        by=admin_user,
        upload=io.BytesIO(jpeg()),
        caption="Rowers on the river.",
        credit="Kansai Rowing Club",
        alt_text="Eight rowers in a boat",
    )
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:stories_picture_changelist")
    page = client.get(url).content.decode()
    assert page.count('class="desk-thumb"') == 2
    assert "uploaded_at__year=" in page  # the date hierarchy
    assert "uploaded_at__gte=" in page  # the date filter
    by_credit = client.get(url, {"q": "Kansai"}).content.decode()
    assert "Rowers on the river." in by_credit and "harbour" not in by_credit
    by_caption = client.get(url, {"q": "harbour"}).content.decode()
    assert "Rowers" not in by_caption and "The harbour at dawn." in by_caption


@pytest.mark.django_db
def test_the_picture_page_marks_the_focal_point_and_saving_it_recrops(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor)
    use = attach(story, japan_editor, panorama(0.9))
    picture = use.picture
    assert picture is not None
    client = Client()
    client.force_login(japan_editor)
    url = reverse("admin:stories_picture_change", args=[picture.pk])
    page = client.get(url).content.decode()
    assert "data-focal-picker" in page
    assert 'cx="50.00%"' in page and 'cy="50.00%"' in page
    assert "desk/focal_point.js" in page
    assert "<script>" not in page.replace(" ", "")  # no inline script (CSP)
    assert story.headline in page  # used by
    response = client.post(
        url,
        {
            "caption": picture.caption,
            "credit": picture.credit,
            "alt_text": picture.alt_text,
            "focal_x": "0.9",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    use.refresh_from_db()
    assert reds(use.large) > 0
    assert 'cx="90.00%"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_focal_point_outside_the_picture_is_a_form_error(
    make_story: StoryFactory, admin_user: User
) -> None:
    picture = attach(make_story(), admin_user).picture
    assert picture is not None
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:stories_picture_change", args=[picture.pk]),
        {
            "caption": picture.caption,
            "credit": picture.credit,
            "alt_text": picture.alt_text,
            "focal_x": "1.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 200
    assert "less than or equal to 1" in response.content.decode()
    picture.refresh_from_db()
    assert picture.focal == (0.5, 0.5)


@pytest.mark.django_db
def test_a_writer_sees_the_library_but_changes_no_one_elses_picture(
    make_story: StoryFactory, japan_editor: User, japan_writer: User
) -> None:
    picture = attach(make_story(by=japan_editor), japan_editor).picture
    assert picture is not None
    client = Client()
    client.force_login(japan_writer)
    assert client.get(reverse("admin:stories_picture_changelist")).status_code == 200
    url = reverse("admin:stories_picture_change", args=[picture.pk])
    client.post(
        url,
        {
            "caption": "Vandalised.",
            "credit": "x",
            "alt_text": "x",
            "focal_x": "0.1",
            "focal_y": "0.1",
        },
    )
    picture.refresh_from_db()
    assert picture.caption == "The harbour at dawn."


# --- the desk: a story's pictures on its form -----------------------------------------
def _management(prefix: str, total: int, initial: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def inline_formset(
    story: Story,
    user: User,
    rows: list[dict[str, Any]],
    files: dict[str, Any] | None = None,
) -> Any:
    """The story form's pictures formset as the desk builds it, bound to `rows`
    (existing images first, each with its "id")."""
    request = RequestFactory().post("/desk/")
    request.user = user
    inline = StoryImageInline(Story, admin.site)
    formset_class = inline.get_formset(request, story)
    initial = sum(1 for row in rows if row.get("id"))
    data = _management("images", len(rows), initial)
    for i, row in enumerate(rows):
        data.update({f"images-{i}-{k}": str(v) for k, v in row.items()})
        data[f"images-{i}-story"] = str(story.pk)
    return formset_class(
        data,
        files or {},
        instance=story,
        prefix="images",
        queryset=inline.get_queryset(request),
    )


def _row(image: StoryImage, **changes: Any) -> dict[str, Any]:
    row = {
        "id": image.pk,
        "caption": image.caption,
        "credit": image.credit,
        "alt_text": image.alt_text,
        "position": image.position,
    }
    row.update(changes)
    return row


@pytest.mark.django_db
def test_the_story_forms_pictures_save_through_the_actions(
    make_story: StoryFactory,
    japan_editor: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    story = make_story(by=japan_editor)
    keep, drop = attach(story, japan_editor), attach(story, japan_editor)
    library = actions.create_picture(
        by=japan_editor,
        upload=io.BytesIO(jpeg(900, 600)),
        caption="From the library.",
        credit="Library credit",
        alt_text="A library picture",
    )
    events = StoryEvent.objects.filter(story=story, action="picture").count()
    formset = inline_formset(
        story,
        japan_editor,
        [
            _row(keep, caption="A caption for this story.", position=2),
            _row(drop, DELETE="on"),
            {"picture": library.pk, "position": 0},
            {
                "caption": "Uploaded here.",
                "credit": "Desk",
                "alt_text": "A new picture",
                "position": 1,
            },
        ],
        files={"images-3-upload": upload(jpeg(1000, 700), "new.jpg")},
    )
    assert formset.is_valid(), formset.errors
    with django_capture_on_commit_callbacks(execute=True):
        formset.save()
    rows = list(story.images.all())
    assert [(r.caption, r.position) for r in rows] == [
        ("From the library.", 0),
        ("Uploaded here.", 1),
        ("A caption for this story.", 2),
    ]
    assert rows[0].picture == library and rows[1].picture is not None
    assert rows[1].picture.caption == "Uploaded here."
    assert not StoryImage.objects.filter(pk=drop.pk).exists()
    # Each change is one action: an event each (edit, remove, two adds, reorder).
    assert StoryEvent.objects.filter(story=story, action="picture").count() == (
        events + 5
    )


@pytest.mark.django_db
def test_the_story_form_needs_alt_text_on_a_published_story(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor)
    use = attach(story, japan_editor)
    formset = inline_formset(story, japan_editor, [_row(use, alt_text="")])
    assert not formset.is_valid()
    assert "need alt text" in str(formset.errors)
    draft = make_story(by=japan_editor, publish=False)
    draft_use = attach(draft, japan_editor)
    assert inline_formset(
        draft, japan_editor, [_row(draft_use, alt_text="")]
    ).is_valid()


@pytest.mark.django_db
def test_a_new_picture_on_the_story_form_needs_its_words_and_one_source(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor, publish=False)
    library = attach(make_story(by=japan_editor), japan_editor).picture
    no_alt = inline_formset(
        story,
        japan_editor,
        [{"caption": "c", "credit": "c", "alt_text": "", "position": 0}],
        files={"images-0-upload": upload(jpeg())},
    )
    assert not no_alt.is_valid() and "alt text" in str(no_alt.errors)
    both = inline_formset(
        story,
        japan_editor,
        [{"picture": library.pk if library else "", "caption": "c", "position": 0}],
        files={"images-0-upload": upload(jpeg())},
    )
    assert not both.is_valid() and "not both" in str(both.errors)
    assert story.images.count() == 0


# --- the desk end to end: the story's change form posted with its pictures ------------
class _FormFields(HTMLParser):
    """The fields a browser would post from the form with id `form_id`."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "__prefix__" in a.get("name", "__prefix__"):
            if tag == "option" and self._select and "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append(
                (name, a.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def story_form_data(html: str) -> dict[str, Any]:
    parser = _FormFields("story_form")
    parser.feed(html)
    data: dict[str, Any] = {}
    for name, value in parser.fields:
        if name in data:
            data[name] = [
                *(data[name] if isinstance(data[name], list) else [data[name]]),
                value,
            ]
        else:
            data[name] = value
    return data


@pytest.mark.django_db
def test_the_desk_story_form_uploads_picks_edits_reorders_and_removes_pictures(
    make_story: StoryFactory, japan_editor: User
) -> None:
    story = make_story(by=japan_editor)
    keep, drop = attach(story, japan_editor), attach(story, japan_editor)
    library = actions.create_picture(
        by=japan_editor,
        upload=io.BytesIO(jpeg(900, 600)),
        caption="From the library.",
        credit="Library credit",
        alt_text="A library picture",
    )
    client = Client()
    client.force_login(japan_editor)
    url = reverse("admin:stories_story_change", args=[story.pk])
    page = client.get(url).content.decode()
    assert 'name="images-TOTAL_FORMS"' in page
    assert 'class="desk-thumb"' in page
    data = story_form_data(page)
    rows = {data[f"images-{i}-id"]: i for i in range(2)}
    k, d = rows[str(keep.pk)], rows[str(drop.pk)]
    data[f"images-{k}-caption"] = "A caption for this story."
    data[f"images-{k}-position"] = "5"
    data[f"images-{d}-DELETE"] = "on"
    data.update(
        {
            "images-2-picture": str(library.pk),
            "images-2-position": "0",
            "images-3-caption": "Uploaded on the story form.",
            "images-3-credit": "Desk",
            "images-3-alt_text": "A picture uploaded with the story",
            "images-3-position": "1",
            "images-3-upload": upload(jpeg(1000, 700), "new.jpg"),
            "images-TOTAL_FORMS": "4",
            "_continue": "Save and continue editing",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]
    assert [(i.caption, i.position) for i in story.images.all()] == [
        ("From the library.", 0),
        ("Uploaded on the story form.", 1),
        ("A caption for this story.", 2),
    ]
    assert not StoryImage.objects.filter(pk=drop.pk).exists()
    assert Picture.objects.filter(caption="Uploaded on the story form.").exists()
    assert StoryEvent.objects.filter(story=story, action="picture").count() >= 5


@pytest.mark.django_db
def test_a_new_story_is_saved_with_its_first_picture_from_the_desk_add_form(
    japan_editor: User, japan: Edition, section: Any
) -> None:
    client = Client()
    client.force_login(japan_editor)
    url = reverse("admin:stories_story_add")
    page = client.get(url).content.decode()
    assert 'name="images-TOTAL_FORMS"' in page
    data = story_form_data(page)
    data.update(
        {
            "headline": "Ferry timetable changes",
            "body": "<p>Sailings start in June.</p>",
            "provenance": "staff",
            "primary_section": str(section.pk),
            "origin_edition": str(japan.pk),
            "editions": [str(japan.pk)],
            "images-0-caption": "The summer ferry.",
            "images-0-credit": "Desk",
            "images-0-alt_text": "A white ferry leaving the pier",
            "images-0-upload": upload(jpeg(1200, 800)),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]
    story = Story.objects.get(headline="Ferry timetable changes")
    use = story.images.get()
    assert use.picture is not None and use.picture.uploaded_by == japan_editor
    assert use.alt_text == "A white ferry leaving the pier"


@pytest.mark.django_db
def test_a_story_the_user_may_only_read_shows_its_pictures_read_only(
    make_story: StoryFactory, japan_writer: User
) -> None:
    story = make_story(by=japan_writer, publish=False)
    attach(story, japan_writer)
    actions.submit_for_review(story, by=japan_writer)
    client = Client()
    client.force_login(japan_writer)
    page = client.get(reverse("admin:stories_story_change", args=[story.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="images-group"' in html
    assert 'class="desk-thumb"' in html and "The harbour at dawn." in html
    assert 'name="images-0-caption"' not in html and "images-0-upload" not in html


# --- the migration ------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_every_story_image_into_the_library(
    make_story: StoryFactory,
) -> None:
    stories = [make_story() for _ in range(3)]
    try:
        before = [("stories", "0005_picture_library")]
        after = [("stories", "0006_pictures_from_story_images")]
        storage = StoryImage._meta.get_field("large").storage  # type: ignore[union-attr]
        try:
            migrate(before)
            old = MigrationExecutor(connection).loader.project_state(before).apps
            OldImage = old.get_model("stories", "StoryImage")

            def row(story: Story, name: str, caption: str) -> None:
                OldImage.objects.create(
                    story_id=story.pk,
                    caption=caption,
                    credit="Herald/Staff",
                    alt_text=f"Alt of {caption}",
                    width=1200,
                    height=800,
                    large=name,
                    medium=name,
                    small=name,
                )

            shared = storage.save("images/2025/01/shared-large.jpg", io.BytesIO(jpeg()))
            own = storage.save(
                "images/2025/01/own-large.jpg", io.BytesIO(jpeg(600, 400))
            )
            row(stories[0], shared, "Shared one")
            row(stories[1], shared, "Shared two")
            row(stories[2], own, "Own")
            row(stories[2], "images/2025/01/missing-large.jpg", "Missing")
        finally:
            migrate(after)
        # The models as 0006 knows them (today's have columns added since).
        new = MigrationExecutor(connection).loader.project_state(after).apps
        pictures = list(new.get_model("stories", "Picture").objects.order_by("pk"))
        assert [p.caption for p in pictures] == ["Shared one", "Own"]
        for picture in pictures:
            assert exists(picture.original.name) and exists(picture.preview.name)
            assert (picture.focal_x, picture.focal_y) == (0.5, 0.5)
            assert picture.alt_text.startswith("Alt of")
        images = {
            i.caption: i for i in new.get_model("stories", "StoryImage").objects.all()
        }
        assert (
            images["Shared one"].picture == images["Shared two"].picture == pictures[0]
        )
        assert images["Own"].picture == pictures[1]
        assert images["Missing"].picture is None
        with pictures[1].original.open("rb") as f, Image.open(f) as copy:
            assert copy.size == (600, 400)
        # Back again: the copies go, the story images stay as they were.
        migrate(before)
        assert not exists(pictures[0].original.name)
        migrate(after)
    finally:
        # Every app at its last migration again, for the tests after this one.
        migrate(latest())


# --- the focal point picker in Debian's Chromium, under the desk's CSP ------------
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clicking_the_preview_sets_the_focal_point_under_the_csp(
    live_server: Any, page: Any, make_story: StoryFactory, admin_user: User
) -> None:
    use = attach(make_story(), admin_user, panorama(0.9))
    picture = use.picture
    assert picture is not None
    client = Client()
    client.force_login(admin_user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    problems: list[str] = []

    def console(message: Any) -> None:
        # The browser's own /favicon.ico 404 is no problem of this page's.
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = reverse("admin:stories_picture_change", args=[picture.pk])
    page.goto(live_server.url + url)
    image = page.locator(".focal-picker__image")
    box = image.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.25)
    assert page.input_value("input[name=focal_x]") == "0.90"
    assert page.input_value("input[name=focal_y]") == "0.25"
    assert page.get_attribute(".focal-picker__dot", "cx") == "90.00%"
    assert page.get_attribute("[data-focal-crop]", "x") == "33.33%"
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")
    picture.refresh_from_db()
    assert picture.focal == (0.9, 0.25)
    use.refresh_from_db()
    assert reds(use.large) > 0
    assert problems == []
