"""Demo news releases: a moderator, a few submitters, and releases in every state,
so the queue, the status pages and a distribution report show at once."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.core.roles import Role
from herald.editions.models import Edition
from herald.releases import actions
from herald.releases.models import NewsRelease, ReleaseStatus, Submitter
from herald.releases.preview import section_for


@dataclass(frozen=True)
class DemoSubmitter:
    email: str
    organisation: str
    contact: str
    website: str
    time_zone: str
    about: str


SUBMITTERS = (
    DemoSubmitter(
        "press@kansai-rowing.example.org",
        "Kansai Rowing Club",
        "Ken Mori",
        "https://kansai-rowing.example.org",
        "Asia/Tokyo",
        "A rowing club on the Yodo River since 1952, with 210 members.",
    ),
    DemoSubmitter(
        "news@pune-makers.example.com",
        "Pune Makers Cooperative",
        "Priya Kulkarni",
        "https://pune-makers.example.com",
        "Asia/Kolkata",
        "A cooperative of 40 small workshops making furniture and tools in Pune.",
    ),
    DemoSubmitter(
        "media@gulf-arts.example.net",
        "Gulf Arts Festival",
        "Omar Haddad",
        "https://gulf-arts.example.net",
        "Asia/Dubai",
        "An annual festival of music, theatre and film held each spring.",
    ),
)

BODIES = {
    "boathouse": (
        "The Kansai Rowing Club opened its new boathouse on the Yodo River on "
        "Saturday, after two years of building work paid for by members and a "
        "grant from the city.\n\nThe building holds forty boats, a repair shop and "
        "changing rooms. It replaces a shed that flooded three times in the last "
        "decade, the club said.\n\nSchool crews may use it from the spring term, "
        "and coaches from the city's sports office will run free sessions for "
        "beginners on weekday mornings. Membership has grown from 80 to 210 rowers "
        "since 2021, according to the club's annual report."
    ),
    "workshop": (
        "The Pune Makers Cooperative will open its shared workshop in Bhosari to "
        "engineering students from next month, the cooperative said on Monday.\n\n"
        "Students from three colleges will book lathes, saws and a laser cutter "
        "for two evenings a week, with members of the cooperative supervising. "
        "The colleges pay for materials and insurance.\n\n“Half of our members "
        "learned their trade in someone else's shop,” said Priya Kulkarni, who "
        "speaks for the cooperative. The forty workshops that make up the "
        "cooperative employ about 300 people in and around Pune."
    ),
    "programme": (
        "The Gulf Arts Festival published the programme of its spring season on "
        "Wednesday: twelve premieres of music, theatre and film across eighteen "
        "days in March.\n\nPerformances will be held in four venues in Dubai, "
        "including a restored warehouse in Al Quoz that opens to the public for "
        "the first time. About a third of the tickets are free for students.\n\n"
        "The festival, founded in 2012, drew 41,000 visitors last year, according "
        "to its organisers. Its director, Omar Haddad, said the programme had "
        "been chosen from 600 proposals."
    ),
    "coach": (
        "The Kansai Rowing Club has appointed Yui Nakamura, who rowed for Japan "
        "at two world championships, as its head coach from April.\n\nNakamura, "
        "34, coached university crews in Kyoto for six years. She replaces "
        "Takeshi Ono, who retires after 22 years with the club and will stay on "
        "as an adviser to its junior squad.\n\nThe club said it would enter crews "
        "in the national masters championships for the first time this year, in "
        "the women's eight and the mixed quadruple sculls."
    ),
    "fair": (
        "The Pune Makers summer fair is here and it is the most revolutionary "
        "fair ever held in the city! Every workshop will show its amazing "
        "products at unbeatable prices.\n\nYou will love the handmade furniture "
        "and your family will love the toys. Come early, because the best "
        "pieces always sell out on the first morning!\n\nGet your tickets at "
        "[bit.ly/pune-fair](https://bit.ly/pune-fair) before they are gone!"
    ),
    "volunteers": (
        "The Gulf Arts Festival is looking for 150 volunteers to help during its "
        "opening week in March, its organisers said on Thursday.\n\nVolunteers "
        "will guide visitors between venues, help at ticket desks and look after "
        "artists arriving from abroad. They need to be at least 18 and available "
        "for four shifts; the festival provides training, meals and transport.\n\n"
        "Applications close on 15 February. Last year about 400 people applied "
        "for 120 places, the festival said, most of them students from "
        "universities in Dubai and Sharjah."
    ),
    "regatta": (
        "The Kansai Rowing Club's autumn regatta moves to October this year "
        "because of building work on the river bank at Hirakata.\n\nThe regatta "
        "usually takes place in September and draws crews from clubs across the "
        "region. The club said it was talking to the river office about the "
        "exact weekend."
    ),
    "tools": (
        "Our tools are the best in Pune. Buy our tools today at our shop in "
        "Bhosari and get a discount on every second item you buy."
    ),
    "film": (
        "The Gulf Arts Festival will open a film school for teenagers in "
        "September, with places for 40 students aged 14 to 18. Classes will run "
        "on Saturdays in the festival's workshop in Al Quoz."
    ),
}


@dataclass(frozen=True)
class DemoRelease:
    submitter: int
    headline: str
    summary: str
    body: str
    category: str
    city: str
    country: str
    editions: tuple[str, ...]
    state: str  # draft, pending, changes, rejected, scheduled, published


RELEASES = (
    DemoRelease(
        0,
        "Rowing club opens a new boathouse on the Yodo River",
        "The Kansai Rowing Club's new building holds forty boats.",
        "boathouse",
        "sports",
        "Osaka",
        "Japan",
        ("japan-herald",),
        "published",
    ),
    DemoRelease(
        1,
        "Pune makers' cooperative opens its workshop to students",
        "Students from three colleges may book the machines twice a week.",
        "workshop",
        "business",
        "Pune",
        "India",
        ("india-herald", "gulf-herald"),
        "published",
    ),
    DemoRelease(
        2,
        "Gulf Arts Festival names twelve premieres for the spring",
        "Music, theatre and film across eighteen days in March.",
        "programme",
        "arts",
        "Dubai",
        "United Arab Emirates",
        ("gulf-herald",),
        "scheduled",
    ),
    DemoRelease(
        0,
        "Rowing club appoints a former national rower as head coach",
        "Yui Nakamura takes over from April.",
        "coach",
        "personnel",
        "Osaka",
        "Japan",
        ("japan-herald",),
        "pending",
    ),
    DemoRelease(
        1,
        "AMAZING DEALS AT THE PUNE MAKERS SUMMER FAIR!!!",
        "Your best summer ever!",
        "fair",
        "events",
        "Pune",
        "India",
        ("india-herald",),
        "pending",
    ),
    DemoRelease(
        2,
        "Arts festival seeks 150 volunteers for its opening week",
        "Applications close on 15 February.",
        "volunteers",
        "community",
        "Dubai",
        "United Arab Emirates",
        ("gulf-herald",),
        "pending",
    ),
    DemoRelease(
        0,
        "Rowing regatta moves to October",
        "Building work on the river bank delays the race.",
        "regatta",
        "events",
        "Osaka",
        "Japan",
        ("japan-herald",),
        "changes",
    ),
    DemoRelease(
        1,
        "Buy our tools today",
        "A sale.",
        "tools",
        "business",
        "Pune",
        "India",
        ("india-herald",),
        "rejected",
    ),
    DemoRelease(
        2,
        "Festival opens a film school for teenagers",
        "Forty places for students aged 14 to 18.",
        "film",
        "arts",
        "Dubai",
        "United Arab Emirates",
        ("gulf-herald",),
        "draft",
    ),
)


def _submitter(spec: DemoSubmitter, password: str) -> Submitter:
    user = User.objects.filter(username=spec.email).first()
    if user is None:
        user = User(
            username=spec.email,
            email=spec.email,
            role=Role.SUBMITTER,
            email_verified_at=timezone.now(),
        )
        user.set_password(password)
        user.save()
    submitter, _ = Submitter.objects.get_or_create(
        user=user,
        defaults={
            "organisation": spec.organisation,
            "contact_person": spec.contact,
            "website": spec.website,
            "phone": "+00 000 0000",
            "about": spec.about,
            "time_zone": spec.time_zone,
        },
    )
    return submitter


def seed_releases(*, password: str, out: Any = None) -> int:
    """Create what is missing of the demo releases; returns how many were added."""
    moderator = User.objects.filter(username="moderator").first()
    if moderator is None:
        moderator = User(username="moderator", role=Role.MODERATOR)
        moderator.first_name, moderator.last_name = "Mona", "Moderator"
        moderator.set_password(password)
        moderator.save()
    submitters = [_submitter(spec, password) for spec in SUBMITTERS]
    editions = {e.slug: e for e in Edition.objects.all()}
    now = timezone.now()
    added = 0
    for i, spec in enumerate(RELEASES):
        submitter = submitters[spec.submitter]
        if NewsRelease.objects.filter(
            submitter=submitter, headline=spec.headline
        ).exists():
            continue
        targets = [editions[s] for s in spec.editions if s in editions]
        if not targets:
            continue
        with transaction.atomic():
            release = actions.save_draft(
                submitter,
                release=None,
                editions=targets,
                headline=spec.headline,
                summary=spec.summary,
                body=BODIES[spec.body],
                category=spec.category,
                dateline_city=spec.city,
                dateline_country=spec.country,
                contact_name=submitter.contact_person,
                contact_email=submitter.user.email,
                contact_phone=submitter.phone,
                release_at=now + timedelta(days=2)
                if spec.state == "scheduled"
                else None,
                time_zone=submitter.time_zone,
            )
            _move(release, spec.state, moderator=moderator, age=timedelta(hours=30 - i))
        added += 1
    if out is not None:
        out.write(
            f"  News releases: {added} added; moderator login 'moderator', "
            f"submitters {', '.join(s.email for s in SUBMITTERS)}\n"
        )
    return added


def _move(release: NewsRelease, state: str, *, moderator: User, age: timedelta) -> None:
    if state == "draft":
        return
    release = actions.submit_release(release, by=release.submitter.user)
    # Spread the submissions over the last day, so the queue has an order.
    NewsRelease.objects.filter(pk=release.pk).update(submitted_at=timezone.now() - age)
    release.decisions.update(at=timezone.now() - age)
    section = section_for(release)
    if state in {"published", "scheduled"}:
        actions.approve_release(
            release, by=moderator, section=section, message="Thank you."
        )
    elif state == "changes":
        actions.request_changes(
            release,
            by=moderator,
            message="Please add the date of the regatta and a media contact phone.",
        )
    elif state == "rejected":
        actions.reject_release(
            release,
            by=moderator,
            reason="advertising",
            message="This is an advertisement, not news. "
            "Our advertising team can help.",
        )
    elif state != ReleaseStatus.PENDING:
        raise ValueError(f"Unknown demo state {state!r}.")
