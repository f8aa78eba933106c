"""NewsML-G2 parsing, checked against the IPTC's own example files."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from herald.ingest.sources import ItemKind, ParseError, PubStatus, Subject, parse

SAMPLES = settings.BASE_DIR / "tests" / "data" / "newsml-g2"
NAR = "http://iptc.org/std/nar/2006-10-01/"


def sample(name: str) -> bytes:
    """An IPTC example file; a missing one fails the test rather than skipping."""
    path: Path = SAMPLES / name
    assert path.is_file(), f"IPTC sample {path} is missing"
    return path.read_bytes()


def news_item(inner: str, guid: str = "urn:test:1", version: str = "1") -> bytes:
    """A minimal newsItem around `inner` (itemMeta/contentMeta/contentSet)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<newsItem xmlns="{NAR}" guid="{guid}" version="{version}" '
        f'standard="NewsML-G2" standardversion="2.35" xml:lang="en">{inner}</newsItem>'
    ).encode()


def test_listing_1_news_item_reads_every_field() -> None:
    feed = parse("newsml-g2", sample("LISTING_1_A_NewsML-G2_News_Item.xml"))
    assert feed.warnings == ()
    (item,) = feed.items
    assert item.guid == "urn:newsml:acmenews.com:20161018:US-FINANCE-FED"
    assert item.version == 11
    assert item.headline == 'Fed to halt QE to avert "bubble"'
    assert item.byline == "Meredith Jameson"
    assert item.language == "en-GB"
    assert item.pubstatus is PubStatus.USABLE
    # versionCreated 2018-10-21T16:25:32-05:00, normalized to UTC.
    assert item.updated_at == datetime(2018, 10, 21, 21, 25, 32, tzinfo=UTC)
    assert item.first_created == datetime(2016, 10, 18, 18, 12, 21, tzinfo=UTC)
    assert item.embargo_until == datetime(2018, 10, 23, 12, 0, tzinfo=UTC)
    assert (item.dateline_city, item.dateline_country) == ("Berlin", "Germany")
    assert item.places == ("Berlin",)
    assert item.subjects == (
        Subject(name="economy, business and finance", code="medtop:04000000"),
        Subject(name="labour market", code="medtop:20000523"),
    )
    assert item.keywords == ("US-Finance-Fed",)
    assert item.extra["ednote"].startswith("Note to editors: STRICTLY EMBARGOED.")
    assert item.extra["copyright"] == (
        "Copyright 2017-18 Example Enews LLP, all rights reserved"
    )
    assert item.extra["usage_terms"] == "Not for use outside the United States"
    assert item.extra["provider"] == "nprov:REUTERS"
    assert item.raw.startswith("<newsItem")
    assert 'guid="urn:newsml:acmenews.com:20161018:US-FINANCE-FED"' in item.raw
    assert item.raw.rstrip().endswith("</newsItem>")


def test_listing_2_inline_nitf_body_becomes_sanitized_html() -> None:
    feed = parse("newsml-g2", sample("LISTING_2_NewsML-G2_Text_Document.xml"))
    (item,) = feed.items
    assert item.guid == "urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    assert item.language == "en-US"
    assert [s.code for s in item.subjects] == [
        "medtop:04000000",
        "medtop:20000350",
        "medtop:20000379",
    ]
    assert item.body_html.startswith("<p>Et, sent luptat luptat")
    assert item.body_html.count("<p>") == 2
    assert "nitf" not in item.body_html and "xmlns" not in item.body_html
    # The located "New York, NY" is the dateline: a US state's code names the
    # country, and the bracketed lead "(New York, NY - October 21)" is taken out.
    assert (item.dateline_city, item.dateline_country) == ("New York", "United States")
    assert "October 21" not in item.body_html


def test_listing_3_picture_item_gives_an_image_with_caption_and_credit() -> None:
    feed = parse(
        "newsml-g2",
        sample("LISTING_3_Photo_in_NewsML-G2.xml"),
        base_url="https://wire.example/pictures/feed.xml",
    )
    # A picture is no text story: it comes apart, whole, for the picture library.
    assert feed.items == ()
    (picture,) = feed.not_text
    assert picture.kind == ItemKind.PICTURE
    item = picture.item
    assert item is not None
    assert item.guid == "tag:gettyimages.com,2010:GYI0062134533"
    assert item.headline == (
        "Variety Of Recessionary Forces Leave Las Vegas Economy Scarred"
    )
    (image,) = item.images
    # The highRes rendition "./GYI0062134533.jpg", made absolute; the file:///
    # renditions are refused.
    assert image.url == "https://wire.example/pictures/GYI0062134533.jpg"
    assert (image.width, image.height) == (1500, 1001)
    assert image.credit == "Getty Images"
    assert image.photographer == "Spencer Platt"
    assert image.caption.startswith("A general view of part of downtown")
    assert image.caption.endswith("(Photo by Spencer Platt/Getty Images)")
    assert "Las Vegas" in item.places and "Las Vegas Boulevard" in item.places
    assert Subject(name="unemployment", code="medtop:20000533") in item.subjects
    assert "poverty" in item.keywords
    assert item.extra["item_class"] == "ninat:picture"


def test_listing_3_without_a_base_url_keeps_the_picture_without_a_url() -> None:
    (picture,) = parse("newsml-g2", sample("LISTING_3_Photo_in_NewsML-G2.xml")).not_text
    assert picture.item is not None
    (image,) = picture.item.images
    assert image.url == ""
    assert image.credit == "Getty Images"


def test_listing_6_package_alone_reports_its_unresolved_references() -> None:
    feed = parse("newsml-g2", sample("LISTING_6_Simple_NewsML-G2_Package.xml"))
    assert feed.items == ()
    assert [(n.kind, n.title) for n in feed.not_text] == [(ItemKind.PACKAGE, "UK")]
    assert len(feed.warnings) == 2
    assert "urn:newsml:iptc.org:20081007:tutorial-item-A" in feed.warnings[0]
    assert "not in this document" in feed.warnings[0]


def test_listing_28_structured_dateline_wins_over_located() -> None:
    fragment = sample("LISTING_28_Illustrating_Located_Subject_and_Dateline.xml")
    document = news_item(
        '<itemMeta><itemClass qcode="ninat:text"/>'
        "<versionCreated>2016-02-09T09:17:00+03:00</versionCreated></itemMeta>"
        + fragment.decode("utf-8").replace(
            "</contentMeta>", "<headline>Talks in Moscow</headline></contentMeta>"
        )
    )
    (item,) = parse("newsml-g2", document).items
    # <dateline>MOSCOW, Monday (Reuters)</dateline>: weekday and agency dropped.
    assert (item.dateline_city, item.dateline_country) == ("Moscow", "")
    assert item.byline == "Thomson Reuters"
    assert item.language == "en-US"
    assert item.updated_at == datetime(2016, 2, 9, 6, 17, tzinfo=UTC)


def test_fragment_outside_the_namespace_is_refused() -> None:
    fragment = sample("LISTING_28_Illustrating_Located_Subject_and_Dateline.xml")
    with pytest.raises(ParseError, match="not a NewsML-G2 document"):
        parse("newsml-g2", fragment)


MESSAGE = f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="{NAR}">
  <header><sent>2025-06-10T10:00:00Z</sent></header>
  <itemSet>
    <packageItem guid="urn:pkg:1" version="1">
      <groupSet root="G1">
        <group id="G1" role="group:main">
          <itemRef residref="urn:text:1"/>
          <itemRef residref="urn:pic:1"/>
          <itemRef residref="urn:elsewhere:9"/>
        </group>
      </groupSet>
    </packageItem>
    <newsItem guid="urn:text:1" version="4" xml:lang="en">
      <itemMeta>
        <itemClass qcode="ninat:text"/>
        <versionCreated>2025-06-10T12:00:00+02:00</versionCreated>
        <embargoed>2025-06-11T00:00:00-05:00</embargoed>
        <pubStatus qcode="stat:withheld"/>
      </itemMeta>
      <contentMeta>
        <urgency>2</urgency>
        <located type="cptype:city" qcode="geo:1"><name>Osaka</name>
          <broader type="cptype:country" qcode="iso3166-1a2:JP">
            <name>Japan</name>
          </broader>
        </located>
        <by>By Kenji Mori</by>
        <subject type="cpnat:abstract" qcode="medtop:04000000">
          <name xml:lang="de">Wirtschaft</name><name xml:lang="en">economy</name>
        </subject>
        <subject type="cpnat:person" qcode="p:1"><name>Someone</name></subject>
        <subject type="cpnat:geoArea" qcode="geo:2"><name>Kansai</name></subject>
        <headline>Osaka &lt;b&gt;port&lt;/b&gt; reopens</headline>
        <headline role="hlrole:sub">Ships queue after the typhoon</headline>
        <description role="drol:summary">The port reopened on Tuesday.</description>
      </contentMeta>
      <contentSet>
        <inlineXML contenttype="application/xhtml+xml">
          <html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>
          <body><p>OSAKA (Kyodo) - The port reopened.</p>
          <script>alert(1)</script><p onclick="x()">Second <a
          href="javascript:alert(2)">para</a>.</p></body></html>
        </inlineXML>
      </contentSet>
    </newsItem>
    <newsItem guid="urn:pic:1" version="1">
      <itemMeta><itemClass qcode="ninat:picture"/>
        <versionCreated>2025-06-10T09:00:00Z</versionCreated></itemMeta>
      <contentMeta>
        <creator role="crol:photographer"><name>Yui Abe</name></creator>
        <creditline>Kyodo</creditline>
        <headline>Ships at anchor</headline>
        <description role="drol:caption">Ships wait outside Osaka port.</description>
      </contentMeta>
      <contentSet>
        <remoteContent rendition="rnd:thumb" href="https://img.example/t.jpg"
          contenttype="image/jpeg" width="100" height="60"/>
        <remoteContent rendition="rnd:web" href="https://img.example/w.jpg"
          contenttype="image/jpeg" width="1024" height="600"/>
      </contentSet>
    </newsItem>
    <newsItem guid="urn:text:2" version="7">
      <itemMeta><itemClass qcode="ninat:text"/>
        <versionCreated>2025-06-10T13:00:00Z</versionCreated>
        <pubStatus qcode="stat:canceled"/></itemMeta>
      <contentMeta><headline>Withdrawn story</headline></contentMeta>
    </newsItem>
    <newsItem version="1"><contentMeta><headline>No guid</headline></contentMeta>
    </newsItem>
    <conceptItem guid="urn:concept:1"/>
  </itemSet>
</newsMessage>
"""


def test_news_message_reads_its_items_and_attaches_package_pictures() -> None:
    feed = parse("newsml-g2", MESSAGE.encode())
    text, canceled = feed.items
    picture = next(n.item for n in feed.not_text if n.kind == ItemKind.PICTURE)
    assert picture is not None
    assert text.guid == "urn:text:1" and text.version == 4
    assert text.headline == "Osaka port reopens"
    assert text.standfirst == "Ships queue after the typhoon"
    assert text.pubstatus is PubStatus.WITHHELD
    assert text.urgency == 2
    assert text.byline == "Kenji Mori"  # the page says "By" itself
    assert text.language == "en"
    assert text.updated_at == datetime(2025, 6, 10, 10, 0, tzinfo=UTC)
    assert text.embargo_until == datetime(2025, 6, 11, 5, 0, tzinfo=UTC)
    assert (text.dateline_city, text.dateline_country) == ("Osaka", "Japan")
    assert text.places == ("Osaka", "Kansai")
    assert text.subjects == (Subject(name="economy", code="medtop:04000000"),)
    # XHTML body: the lead dateline (same place) taken off, script and handlers gone.
    assert text.body_html.startswith("<p>The port reopened.</p>")
    assert "script" not in text.body_html and "alert" not in text.body_html
    assert "onclick" not in text.body_html and "<title>" not in text.body_html
    # The package groups the picture with the text: it comes as the text's image.
    (image,) = text.images
    assert image.url == "https://img.example/w.jpg"
    assert (image.width, image.height) == (1024, 600)
    assert image.caption == "Ships wait outside Osaka port."
    assert image.credit == "Kyodo" and image.photographer == "Yui Abe"
    assert picture.guid == "urn:pic:1" and picture.images == (image,)
    assert canceled.pubstatus is PubStatus.CANCELED and canceled.version == 7
    # Each raw is its own newsItem, namespaces and all, re-parseable alone.
    assert text.raw.startswith("<newsItem") and 'guid="urn:text:1"' in text.raw
    assert "urn:pic:1" not in text.raw
    (alone,) = parse("newsml-g2", text.raw.encode()).items
    assert alone.headline == text.headline
    warnings = "\n".join(feed.warnings)
    kinds = {(n.kind, n.guid) for n in feed.not_text}
    assert (ItemKind.CONCEPT, "urn:concept:1") in kinds
    assert (ItemKind.PICTURE, "urn:pic:1") in kinds
    assert "item 4 skipped: its newsItem has no guid" in warnings
    assert "'urn:elsewhere:9', which is not in this document" in warnings
    assert "urn:pic:1', which is not" not in warnings


def test_a_conflicting_structured_dateline_keeps_the_lead_in_the_body() -> None:
    document = news_item(
        "<contentMeta><located><name>Berlin</name></located><headline>H</headline>"
        "</contentMeta><contentSet><inlineXML><html xmlns="
        '"http://www.w3.org/1999/xhtml"><body><p>PARIS (AFP) - Text.</p></body>'
        "</html></inlineXML></contentSet>"
    )
    (item,) = parse("newsml-g2", document).items
    assert item.dateline_city == "Berlin"
    assert item.body_html == "<p>PARIS (AFP) - Text.</p>"


def test_inline_plain_text_becomes_paragraphs() -> None:
    document = news_item(
        "<contentMeta><headline>H</headline></contentMeta><contentSet>"
        '<inlineData contenttype="text/plain">LIMA, Peru: One &amp; two.\n\n'
        "Three &lt;four&gt;.</inlineData></contentSet>"
    )
    (item,) = parse("newsml-g2", document).items
    assert item.body_html == "<p>One &amp; two.</p><p>Three &lt;four&gt;.</p>"
    assert (item.dateline_city, item.dateline_country) == ("Lima", "Peru")


@pytest.mark.parametrize(
    ("inner", "warning"),
    [
        ('<itemMeta><pubStatus qcode="stat:lost"/></itemMeta>', "unknown pubStatus"),
        ("<contentMeta><urgency>high</urgency></contentMeta>", "urgency ignored"),
        ("<contentMeta><urgency>12</urgency></contentMeta>", "out of range 1-9"),
    ],
)
def test_bad_item_fields_are_warnings_not_failures(inner: str, warning: str) -> None:
    document = news_item(
        inner.replace("</contentMeta>", "<headline>H</headline></contentMeta>")
        if "contentMeta" in inner
        else inner + "<contentMeta><headline>H</headline></contentMeta>"
    )
    feed = parse("newsml-g2", document)
    (item,) = feed.items
    assert item.pubstatus is PubStatus.USABLE and item.urgency is None
    assert any(warning in w for w in feed.warnings)


def test_bad_version_is_a_warning_and_no_headline_skips_the_item() -> None:
    feed = parse("newsml-g2", news_item("<contentMeta/>", version="x"))
    assert feed.items == ()
    assert any("version ignored" in w for w in feed.warnings)
    assert any("skipped: it has no headline" in w for w in feed.warnings)


def test_a_headline_of_escaped_markup_only_is_no_headline() -> None:
    # Hypothesis found it: "&lt;?" reads as "<?", which as HTML is a comment.
    inner = "<contentMeta><headline>&lt;?</headline></contentMeta>"
    feed = parse("newsml-g2", news_item(inner))
    assert feed.items == ()
    assert any("skipped: it has no headline" in w for w in feed.warnings)


def test_escaped_markup_in_a_headline_leaves_its_text() -> None:
    inner = (
        "<contentMeta><headline>&lt;b&gt;Rates&lt;/b&gt; rise</headline></contentMeta>"
    )
    (item,) = parse("newsml-g2", news_item(inner)).items
    assert item.headline == "Rates rise"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f'<itemSet xmlns="{NAR}"/>', "not a NewsML-G2 news item"),
        ('<newsItem guid="g"><contentMeta/></newsItem>', "not a NewsML-G2 document"),
        ("<rss version='2.0'><channel/></rss>", "not a NewsML-G2 document"),
    ],
)
def test_documents_that_are_not_news_are_refused(data: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse("newsml-g2", data.encode())


def test_headline_of_another_role_serves_and_a_text_caption_is_no_standfirst() -> None:
    document = news_item(
        '<itemMeta><itemClass qcode="ninat:text"/></itemMeta><contentMeta>'
        '<headline role="hlrole:short">Short one</headline>'
        '<description role="drol:caption">A caption</description></contentMeta>'
    )
    (item,) = parse("newsml-g2", document).items
    assert item.headline == "Short one"
    assert item.standfirst == ""


def test_a_graphic_item_gives_its_rendition_as_an_image() -> None:
    document = news_item(
        '<itemMeta><itemClass qcode="ninat:graphic"/></itemMeta><contentMeta>'
        "<headline>Chart</headline><creditline>Wire Graphics</creditline>"
        "</contentMeta><contentSet><remoteContent "
        'href="https://g.example/c.png" contenttype="image/png" width="900"/>'
        "</contentSet>"
    )
    feed = parse("newsml-g2", document)
    assert feed.items == ()
    (graphic,) = feed.not_text
    assert graphic.kind == ItemKind.GRAPHIC and graphic.item is not None
    (image,) = graphic.item.images
    assert image.url == "https://g.example/c.png" and image.credit == "Wire Graphics"


@pytest.mark.parametrize(
    ("root", "kind"),
    [
        ('<conceptItem guid="c"/>', ItemKind.CONCEPT),
        ('<knowledgeItem guid="k"/>', ItemKind.CONCEPT),
        ('<planningItem guid="p"/>', ItemKind.PLANNING),
        (
            '<conceptItem guid="e"><concept><eventDetails/></concept></conceptItem>',
            ItemKind.EVENT,
        ),
    ],
)
def test_items_that_are_no_news_are_counted_by_kind_not_refused(
    root: str, kind: ItemKind
) -> None:
    document = root.replace(" guid=", f' xmlns="{NAR}" guid=', 1)
    feed = parse("newsml-g2", document.encode())
    assert feed.items == () and feed.warnings == ()
    (other,) = feed.not_text
    assert other.kind == kind
    assert other.describe().startswith(f"not a text item ({kind})")
