"""Edition: one masthead, with its host names, time zone, language and branding."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from herald.core.timefmt import validate_time_zone

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
hex_colour = RegexValidator(_HEX, "Use a colour such as #1a2b3c.")
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


class EditionQuerySet(models.QuerySet["Edition"]):
    def active(self) -> "EditionQuerySet":
        return self.filter(is_active=True)


class Edition(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    host_names = models.TextField(
        help_text="One host name a line, e.g. japanherald.com. "
        "In development the edition also answers on <slug>.localhost."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        max_length=16, default="en", help_text="BCP 47, e.g. en or en-IN."
    )
    countries = models.CharField(
        max_length=200,
        blank=True,
        help_text="ISO 3166 codes, comma-separated, e.g. JP.",
    )
    regions = models.CharField(max_length=300, blank=True, help_text="Regions covered.")
    logo_text = models.CharField(max_length=60, help_text="The masthead as printed.")
    primary_colour = models.CharField(
        max_length=7, default="#1d3557", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        max_length=7, default="#b5172b", validators=[hex_colour]
    )
    contact_email = models.EmailField()
    newsletter_sender_name = models.CharField(max_length=120)
    newsletter_sender_email = models.EmailField()
    newsletter_hour = models.PositiveSmallIntegerField(
        default=6,
        validators=[MaxValueValidator(23)],
        help_text="Local hour (0-23, edition time) when the daily email is built.",
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def hosts(self) -> list[str]:
        return [h.strip().lower() for h in self.host_names.split() if h.strip()]

    @property
    def country_codes(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for host in self.hosts:
            if not _HOST.match(host):
                errors.setdefault("host_names", []).append(
                    f"{host!r} is not a host name."
                )
        clashing = Edition.objects.exclude(pk=self.pk)
        for other in clashing:
            shared = set(self.hosts) & set(other.hosts)
            if shared:
                errors.setdefault("host_names", []).append(
                    f"{', '.join(sorted(shared))} already belongs to {other.name}."
                )
        # White text sits on the primary colour and the accent marks links and
        # labels on white, so both must reach WCAG AA's 4.5:1 against white.
        for field in ("primary_colour", "accent_colour"):
            value = getattr(self, field)
            if _HEX.match(value) and contrast_ratio(value, "#ffffff") < 4.5:
                errors.setdefault(field, []).append(
                    f"{value} has a contrast of "
                    f"{contrast_ratio(value, '#ffffff'):.1f}:1 "
                    "against white; WCAG AA needs 4.5:1."
                )
        if errors:
            raise ValidationError(errors)
