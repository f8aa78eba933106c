"""RSS 2.0 and Atom feeds of an edition: its latest stories, one section's, one
place's. Each item carries the text or the teaser, the byline, categories with the
provenance, the first image as an enclosure and a Media RSS element, and dates."""

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, cast
from xml.sax.xmlreader import AttributesImpl
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import (
    Atom1Feed,
    Enclosure,
    Rss201rev2Feed,
    SyndicationFeed,
)
from django.utils.html import escape
from django.utils.xmlutils import SimplerXMLGenerator

from herald.editions.links import edition_origin
from herald.editions.models import Edition
from herald.stories.links import canonical_url, story_url
from herald.stories.models import Place, Provenance, Section, Story

logger = logging.getLogger(__name__)

MEDIA_NS = "http://search.yahoo.com/mrss/"
DC_NS = "http://purl.org/dc/elements/1.1/"
IMAGE_TYPE = "image/jpeg"  # every rendition is re-encoded as JPEG
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedScope:
    """What one request's feed shows: an edition, and perhaps a section or place."""

    request: HttpRequest
    edition: Edition
    topic: Section | Place | None = None

    @property
    def origin(self) -> str:
        return edition_origin(self.edition, self.request)


@dataclass(frozen=True)
class FeedImage:
    """The large rendition of a story's first image, as the feed describes it."""

    url: str
    length: int
    width: int
    height: int
    caption: str
    credit: str


@dataclass(frozen=True)
class FeedEntry:
    """One story in one request's feed. The feed instance serves every request, so
    what an item needs from the request travels with the item, not on `self`."""

    story: Story
    scope: FeedScope
    image: FeedImage | None


def _media_elements(handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
    image: FeedImage | None = item.get("image")
    if image is None:
        return
    handler.startElement(
        "media:content",
        AttributesImpl(
            {
                "url": image.url,
                "type": IMAGE_TYPE,
                "medium": "image",
                "fileSize": str(image.length),
                "width": str(image.width),
                "height": str(image.height),
            }
        ),
    )
    # Agencies license pictures on condition that the credit travels with them.
    handler.addQuickElement("media:credit", image.credit)
    handler.addQuickElement("media:description", image.caption, {"type": "plain"})
    handler.endElement("media:content")


class HeraldRssFeed(Rss201rev2Feed):
    """RSS 2.0 with Media RSS elements for the image, and an item's own language
    (Dublin Core) where it is not the channel's."""

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:media": MEDIA_NS,
            "xmlns:dc": DC_NS,
        }

    def add_item_elements(
        self, handler: SimplerXMLGenerator, item: dict[str, Any]
    ) -> None:
        super().add_item_elements(handler, item)
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])
        _media_elements(handler, item)


class HeraldAtomFeed(Atom1Feed):
    """Atom with the full text in `content` beside the teaser in `summary`, and
    Media RSS elements for the image."""

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        # An entry in another language than the feed's says so (xml:lang).
        if item.get("language"):
            return {"xml:lang": item["language"]}
        return {}

    def add_item_elements(
        self, handler: SimplerXMLGenerator, item: dict[str, Any]
    ) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})
        _media_elements(handler, item)


def _absolute(origin: str, url: str) -> str:
    """Media may already live on its own domain; otherwise it is on the edition's."""
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        return origin.partition(":")[0] + ":" + url
    return origin + url


def _feed_image(story: Story, origin: str) -> FeedImage | None:
    first = next(iter(getattr(story, "image_list", [])), None)
    if first is None:
        return None
    try:
        length = first.large.size
    except OSError:
        # An enclosure without its true length is invalid RSS; leave it out.
        logger.warning(
            "Feed image file is missing.",
            extra={"story_id": story.pk, "image_id": first.pk},
        )
        return None
    return FeedImage(
        url=_absolute(origin, first.large.url),
        length=length,
        width=first.width,
        height=first.height,
        caption=xml_text(first.caption),
        credit=xml_text(first.credit),
    )


def xml_text(text: str) -> str:
    """`text` without the control characters XML 1.0 forbids. Wire copy can carry
    them, and one would otherwise fail the whole feed."""
    return _NOT_XML.sub("", text)


def _plain_title(text: str) -> str:
    """A headline for an RSS title.

    RSS never said whether a title is text or HTML, and readers differ. Escaping
    `&`, `<` and `>` (but not quotes, which text-only readers would show as entities)
    keeps markup in a headline inert in readers that render titles as HTML.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class EditionFeed(Feed[FeedEntry, FeedScope]):
    """The latest public stories of the request's edition.

    Subclasses narrow it to a topic by naming `topic_model`, the Story field that
    holds it (`topic_lookup`) and the reader page that lists it (`topic_page`), and
    choose RSS or Atom with `feed_type`.
    """

    feed_type: type[SyndicationFeed] = HeraldRssFeed
    topic_model: ClassVar[type[Section] | type[Place] | None] = None
    topic_lookup: ClassVar[str] = ""
    topic_page: ClassVar[str] = "web:home"

    def get_object(  # type: ignore[override]
        self, request: HttpRequest, slug: str | None = None
    ) -> FeedScope:
        edition: Edition | None = getattr(request, "edition", None)
        if edition is None:
            raise Http404("No edition answers on this host.")
        topic = None
        if self.topic_model is not None:
            topic = cast(
                "Section | Place", get_object_or_404(self.topic_model, slug=slug)
            )
        return FeedScope(request=request, edition=edition, topic=topic)

    @property
    def is_atom(self) -> bool:
        return issubclass(self.feed_type, Atom1Feed)

    def get_feed(self, obj: FeedScope, request: HttpRequest) -> SyndicationFeed:
        feed = super().get_feed(obj, request)
        # Feed reads `language` from the class; each edition has its own.
        feed.feed["language"] = obj.edition.language
        return feed

    # The channel.

    def title(self, scope: FeedScope) -> str:
        if scope.topic is None:
            return scope.edition.name
        topic = scope.topic
        name = topic.name if isinstance(topic, Section) else str(topic)
        return f"{scope.edition.name}: {name}"

    def link(self, scope: FeedScope) -> str:
        if scope.topic is None:
            return scope.origin + reverse(self.topic_page)
        return scope.origin + reverse(
            self.topic_page, kwargs={"slug": scope.topic.slug}
        )

    def description(self, scope: FeedScope) -> str:
        return scope.edition.tagline or f"The latest stories from {scope.edition.name}."

    def subtitle(self, scope: FeedScope) -> str:
        return self.description(scope)

    def feed_url(self, scope: FeedScope) -> str:
        return scope.origin + scope.request.path

    def feed_guid(self, scope: FeedScope) -> str:
        return self.feed_url(scope)

    def author_name(self, scope: FeedScope) -> str:
        # Atom needs an author for every entry; a release or unsigned staff copy
        # has none of its own, so the edition signs the feed.
        return scope.edition.name

    def author_link(self, scope: FeedScope) -> str:
        return scope.origin + reverse("web:home")

    def ttl(self, scope: FeedScope) -> int:
        return max(1, settings.HERALD_PAGE_MAX_AGE // 60)

    def items(self, scope: FeedScope) -> list[FeedEntry]:
        stories = Story.objects.public().for_edition(scope.edition).latest_first()
        if scope.topic is not None:
            stories = stories.filter(**{self.topic_lookup: scope.topic})
        stories = stories.select_related("origin_edition").prefetch_related(
            "authors",
            "sections",
            "tags",
            Prefetch("images", to_attr="image_list"),
        )
        origin = scope.origin
        return [
            FeedEntry(story=story, scope=scope, image=_feed_image(story, origin))
            for story in stories[: settings.HERALD_FEED_ITEMS]
        ]

    # Each item.

    def item_title(self, item: FeedEntry) -> str:
        # An Atom title is text by definition; an RSS title may be read as HTML.
        headline = xml_text(item.story.headline)
        return headline if self.is_atom else _plain_title(headline)

    def item_link(self, item: FeedEntry) -> str:
        return story_url(item.story, item.scope.edition, item.scope.request)

    def item_guid(self, item: FeedEntry) -> str:
        # One id per story on every edition: the origin edition's page. A local
        # version changes where one edition points search engines, not the id.
        story = item.story
        return canonical_url(story, story.origin_edition, item.scope.request)

    def item_guid_is_permalink(self, item: FeedEntry) -> bool:
        return True

    def item_description(self, item: FeedEntry) -> str:
        # RSS has one text element. Atom keeps the teaser in `summary` and puts
        # the full text in `content`.
        if settings.HERALD_FEED_FULL_TEXT and not self.is_atom:
            return xml_text(item.story.body_with_dateline())
        return escape(xml_text(teaser(item.story)))

    def item_extra_kwargs(self, item: FeedEntry) -> dict[str, Any]:
        content = None
        if settings.HERALD_FEED_FULL_TEXT and self.is_atom:
            content = xml_text(item.story.body_with_dateline())
        story, edition = item.story, item.scope.edition
        language = story.language if story.language != edition.language else ""
        return {"content": content, "image": item.image, "language": language}

    def item_author_name(self, item: FeedEntry) -> str | None:
        story = item.story
        names = [author.name for author in story.authors.all()]
        if names:
            return xml_text(", ".join(names))
        if story.provenance == Provenance.WIRE and story.wire_byline:
            # "By Christian Hollmann (dpa)" without its "By".
            return xml_text(story.byline.removeprefix("By "))
        if story.provenance == Provenance.WIRE and story.agency:
            return xml_text(story.agency)
        return None

    def item_pubdate(self, item: FeedEntry) -> datetime | None:
        return _local(item.story.public_at, item.scope.edition)

    def item_updateddate(self, item: FeedEntry) -> datetime | None:
        # Atom requires `updated` on every entry; an update before an embargo
        # lifted is not news to a reader, so it is never earlier than public_at.
        story = item.story
        moments = [m for m in (story.public_at, story.updated_at) if m is not None]
        return _local(max(moments), item.scope.edition) if moments else None

    def item_categories(self, item: FeedEntry) -> list[str]:
        story = item.story
        names = [section.name for section in story.sections.all()]
        names += [tag.name for tag in story.tags.all()]
        names.append(f"Provenance: {story.provenance_label}")
        if story.provenance == Provenance.RELEASE:
            names.append(str(Provenance.RELEASE.label))
        return list(dict.fromkeys(xml_text(name) for name in names))

    def item_enclosures(self, item: FeedEntry) -> list[Enclosure]:
        if item.image is None:
            return []
        return [Enclosure(item.image.url, str(item.image.length), IMAGE_TYPE)]


def teaser(story: Story) -> str:
    """The dateline and the lead cut short, as plain text."""
    return " ".join(part for part in (story.dateline, story.teaser_text()) if part)


def _local(moment: datetime | None, edition: Edition) -> datetime | None:
    """The instant in the edition's own zone, so dates read as its readers' time."""
    return moment.astimezone(ZoneInfo(edition.time_zone)) if moment else None


class LatestRss(EditionFeed):
    feed_type = HeraldRssFeed


class LatestAtom(EditionFeed):
    feed_type = HeraldAtomFeed


class SectionRss(EditionFeed):
    topic_model = Section
    topic_lookup = "sections"
    topic_page = "web:section"


class SectionAtom(SectionRss):
    feed_type = HeraldAtomFeed


class PlaceRss(EditionFeed):
    topic_model = Place
    topic_lookup = "places"
    topic_page = "web:place"


class PlaceAtom(PlaceRss):
    feed_type = HeraldAtomFeed
