"""Original demo stories for `herald seed_demo`: templates filled from a seeded random
generator.

Every word was written for Herald; the people and organisations are invented, and
only the city and country passed in are real. A template is one string of fields
split by "|": headline variants (split by "~"), standfirst, three body paragraphs and
comma-separated tags. Each story adds one to three of its section's background
paragraphs, so bodies run to four to six paragraphs.
"""

import random
from dataclasses import dataclass

from herald.demo.texts import EXTRAS, TEMPLATES

SECTION_SLUGS = (
    "world",
    "business",
    "politics",
    "technology",
    "sport",
    "environment",
    "health",
    "culture",
)


@dataclass(frozen=True)
class DemoStory:
    headline: str  # <= 120 chars, sentence case like a real news site
    standfirst: str  # one sentence, <= 300 chars
    paragraphs: list[str]  # 4-6 plain-text paragraphs (no HTML), each 30-90 words
    tags: list[str]  # 1-3 short topic tags, e.g. ["Rail", "Infrastructure"]


def _pool(text: str) -> tuple[str, ...]:
    return tuple(text.split("; "))


_NAMES = _pool(
    "Haruka Tanabe; Kenji Morimoto; Yui Shibata; Daisuke Arakawa; Priya Raghunathan;"
    " Arjun Mehta; Kavita Deshpande; Rohan Iyer; Layla Haddad; Omar Al-Rashidi; Yousef"
    " Khalil; Nour El-Amin; Claire Tremblay; Liam Gallant; Megan Fraser; Etienne"
    " Bouchard; Wanjiru Kamau; Baraka Otieno; Amani Mwangi; Halima Ochieng; Harriet"
    " Ashworth; Tom Pennington; Fiona Maclean; Gareth Pryce; Lucas Ferreira; Min-ji"
    " Seo; Chiamaka Obi; Sofia Ortega; Jonas Weber; Anjali Nair; Tariq Mansour; Aiko"
    " Hayashida"
)
_DAYS = _pool("Monday; Tuesday; Wednesday; Thursday; Friday; Saturday")
_MONTHS = _pool("March; April; May; June; September; October; November")
_NICKNAMES = _pool("Falcons; Mariners; Comets; Harriers; Kestrels; Lions")
_RIVALS = _pool(
    "Eastbridge United; Port Alder Athletic; Millbrook Wanderers; Westhaven City;"
    " Northgate Thunder; Corran Vale Rovers; Halden Bay FC"
)
_MINUTES = _pool("88th; 89th; 90th; 91st; 92nd; 93rd; 94th")
_PLACES = _pool("third; fourth; fifth; sixth; seventh")
_ORGS = {
    "world": _pool(
        "the Coastal Nations Forum; the Regional Water Commission; the International"
        " Relief Alliance; the Meridian Cooperation Council; the Continental Dialogue"
        " Group; the Humanitarian Response Network"
    ),
    "business": _pool(
        "Kestrel Industries; Bluewren Holdings; Marrow and Pine; Halcyon"
        " Manufacturing; Ardent Works; Larkspur Enterprises; Northcote Vale Group;"
        " Sunmere Group"
    ),
    "politics": _pool(
        "the Common Ground Party; the Civic Renewal Alliance; the United Progress"
        " Party; the Green Future Party; the Social Commonwealth Party; the Citizens'"
        " Forward Movement"
    ),
    "technology": _pool(
        "Kestrel Semiconductors; Lumiq Grid Labs; Halvane Robotics; Brightwick"
        " Software; Quillon Data; Saffron Circuit Works; Tessellate Technologies;"
        " Orbital Nine"
    ),
    "sport": _pool(
        "the National Sports Council; the Regional Sports Authority; the Youth Sport"
        " Foundation; the Community Games Trust; the Grassroots Football Fund"
    ),
    "environment": _pool(
        "the Green Corridors Trust; the Coastal Wildlife Society; the Clean Air"
        " Council; the Wetlands Conservation Fund; the Institute for Climate"
        " Adaptation"
    ),
    "health": _pool(
        "the Regional Health Board; the Institute for Public Health Research; the"
        " Heartwell Foundation; the Centre for Population Health; the Wellspring"
        " Medical Trust"
    ),
    "culture": _pool(
        "the Lantern House Gallery; the Old Granary Arts Centre; the Meridian Museum"
        " of Art; the Cedar Hall Cultural Centre; the Foundry Street Playhouse"
    ),
}
_THINGS = {
    "world": _pool(
        "water sharing; fisheries; maritime safety; disaster preparedness;"
        " cross-border trade; migrant labour"
    ),
    "business": _pool(
        "electric buses; solar panels; frozen meals; medical devices; recycled"
        " packaging; bicycle components; heat pumps"
    ),
    "politics": _pool(
        "housing; public transport; childcare; water charges; school meals; road safety"
    ),
    "technology": _pool(
        "battery management; machine translation; drone navigation; medical imaging;"
        " satellite imaging; speech recognition"
    ),
    "sport": _pool(
        "400 metres; 1,500 metres; 5,000 metres; triple jump; high jump; 400 metres"
        " hurdles"
    ),
    "environment": _pool(
        "otters; kingfishers; spoonbills; herons; freshwater turtles; bitterns"
    ),
    "health": _pool(
        "type 2 diabetes; high blood pressure; heart disease; dementia; chronic back"
        " pain; depression"
    ),
    "culture": _pool(
        "jazz; puppet theatre; documentary film; contemporary dance; folk music;"
        " street photography"
    ),
}

_CURRENCY = {"United Kingdom": "£", "Canada": "C$"}
_THE_COUNTRIES = {"Netherlands", "Philippines", "Gambia", "Bahamas", "Maldives"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _in_text(country: str) -> str:
    """How the country reads mid-sentence: 'the United Kingdom', not 'United ...'."""
    if country.lower().startswith("the "):
        return "the " + country[4:]
    if country.startswith(("United ", "Republic ")) or country in _THE_COUNTRIES:
        return "the " + country
    return country


def _slots(rng: random.Random, section: str, city: str, country: str) -> dict[str, str]:
    names = rng.sample(_NAMES, 3)
    org, org2 = rng.sample(_ORGS[section], 2)
    thing = rng.choice(_THINGS[section])
    day, day2 = rng.sample(_DAYS, 2)
    hi = rng.randint(1, 4)
    cur = _CURRENCY.get(country, "$")
    slots = {
        "city": city,
        "country": _in_text(country),
        "org": org,
        "Org": _cap(org),
        "org2": org2,
        "Org2": _cap(org2),
        "thing": thing,
        "Thing": _cap(thing),
        "day": day,
        "day2": day2,
        "month": rng.choice(_MONTHS),
        "k": rng.choice(("three", "four", "five", "six")),
        "n": str(rng.randint(10, 19)),
        "n2": str(rng.randint(20, 60)),
        "few": str(rng.randint(8, 60) * 10),
        "big": f"{rng.randint(12, 95) * 100:,}",
        "thousands": f"{rng.randint(18, 95) * 1000:,}",
        "pct": str(rng.randint(4, 38)),
        "pct2": str(rng.randint(41, 78)),
        "pct3": str(rng.randint(4, 8)),
        "money": f"{cur}{rng.randint(4, 60) * 5} million",
        "cash": f"{cur}{rng.randint(12, 95) / 10:.1f} million",
        "money2": f"{cur}{rng.randint(4, 60) * 5} million",
        "cash2": f"{cur}{rng.randint(12, 95) / 10:.1f} million",
        "yes": str(rng.randint(31, 48)),
        "no": str(rng.randint(12, 29)),
        "age": str(rng.randint(19, 27)),
        "minute": rng.choice(_MINUTES),
        "pos": rng.choice(_PLACES),
        "hi": str(hi),
        "lo": str(hi - 1),
        "team": f"{city} {rng.choice(_NICKNAMES)}",
        "rival": rng.choice(_RIVALS),
    }
    for i, name in enumerate(names, start=1):
        suffix = str(i) if i > 1 else ""
        slots["name" + suffix] = name
        slots["surname" + suffix] = name.split()[-1]
    return slots


def make_story(rng: random.Random, section: str, city: str, country: str) -> DemoStory:
    """A story for `section` (one of SECTION_SLUGS) set in `city`, `country`."""
    if section not in TEMPLATES:
        raise ValueError(f"unknown section: {section!r}")
    headlines, *texts, tags = rng.choice(TEMPLATES[section]).split("|")
    headline = rng.choice(headlines.split("~"))
    extras = rng.sample(EXTRAS[section], rng.randint(1, 3))
    slots = _slots(rng, section, city, country)
    standfirst, *paragraphs = (t.format_map(slots) for t in [*texts, *extras])
    return DemoStory(
        headline=_cap(headline.format_map(slots)),
        standfirst=standfirst,
        paragraphs=paragraphs,
        tags=tags.split(","),
    )
