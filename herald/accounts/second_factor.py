"""The desk's second factor: who must give one, the authenticator app and recovery
codes (django-otp's TOTP and static devices), and the middleware that holds /desk/
until the session has passed it."""

import logging
import math
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from herald.accounts.models import User
from herald.core.ratelimit import Limit
from herald.core.roles import Role

logger = logging.getLogger(__name__)

# Whom HERALD_DESK_REQUIRE_2FA binds: the people who publish and who run the desk.
REQUIRED_ROLES = frozenset({Role.ADMIN, Role.EDITOR})
RECOVERY_CODE_COUNT = 10
ISSUER = "Herald desk"  # the name an authenticator app shows beside the code
# Every form that takes a code (sign-in, enrolment, new recovery codes, turning off)
# counts against one budget per user, so guessing cannot move between them.
CODE_TRIES = Limit("acct-2fa-code", 5, 300)


def role_requires(user: User) -> bool:
    """Whether the user's role must give a second factor on this install."""
    return bool(settings.HERALD_DESK_REQUIRE_2FA) and user.role in REQUIRED_ROLES


def is_enrolled(user: User) -> bool:
    """Whether the user has confirmed an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user: User) -> bool:
    """Asked for at desk sign-in: by role, or because the user turned it on."""
    return role_requires(user) or is_enrolled(user)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session passed the second factor (django-otp's OTPMiddleware)."""
    return getattr(request.user, "otp_device", None) is not None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Check:
    """The outcome of one code: the device that accepted it (and, at enrolment, the
    new recovery codes), or the seconds to wait while django-otp's own back-off
    (1, 2, 4 … s after wrong codes in a row) holds the device."""

    device: Device | None
    wait_seconds: int = 0
    codes: tuple[str, ...] = ()


def _back_off(device: Device) -> int:
    """Seconds until django-otp lets the device check a code again (0: now)."""
    allowed, detail = device.verify_is_allowed()
    if allowed:
        return 0
    until = (detail or {}).get("locked_until", timezone.now())
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


# --- The authenticator app -------------------------------------------------------


def start_enrolment(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, made on the first call. The secret stays
    the same until it is confirmed, so reloading the page keeps the QR code that the
    user may already have scanned."""
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_url(device: TOTPDevice) -> str:
    """The key URI authenticator apps read (Google's Key-Uri-Format), with our
    issuer; django-otp's `config_url` would need OTP_TOTP_ISSUER in settings."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{params}"


def qr_svg(device: TOTPDevice) -> SafeString:
    """The key URI as an inline SVG QR code, dark on white so any camera reads it."""
    svg = segno.make(otpauth_url(device), error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
    # segno writes the SVG from our own URL and title; naming it an image gives
    # screen readers its title as the name.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


def confirm_enrolment(device: TOTPDevice, code: str) -> Check:
    """If `code` is the app's current code, confirm the device, drop any other
    authenticator of the user, and make a fresh set of recovery codes (in the
    answer: the only time they are readable as a set)."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        wait = _back_off(locked)
        if wait or locked.confirmed or not locked.verify_token(code):
            return Check(None, wait)
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=locked.user_id).exclude(pk=locked.pk).delete()
        codes = make_recovery_codes(locked.user)
    logger.info("Second factor turned on.", extra={"user_id": locked.user_id})
    return Check(locked, codes=tuple(codes))


# --- Recovery codes --------------------------------------------------------------


def make_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones and return
    them: the only time they are readable as a set. Each works once (django-otp's
    static device deletes a token when it matches). The device itself is kept, so a
    session verified by a recovery code stays verified."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return sorted(codes)


def normalise_recovery_code(code: str) -> str:
    """Recovery codes are shown as `abcd-efgh`; accept them with or without the
    hyphen, spaces or capitals."""
    return "".join(code.split()).replace("-", "").lower()


# --- Checking a code -------------------------------------------------------------


def check_code(user: User, code: str, *, recovery: bool = False) -> Check:
    """Check `code` against the user's authenticator app, or their recovery codes.
    A matching recovery code is used up."""
    model: type[Device] = StaticDevice if recovery else TOTPDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return Check(None)
    wait = _back_off(device)
    if wait:
        return Check(None, wait)
    token = normalise_recovery_code(code) if recovery else code
    # verify_token locks the device row, so one code cannot pass twice at once.
    return Check(verify_token(user, device.persistent_id, token))


def mark_verified(request: HttpRequest, device: Device) -> None:
    """This session passed the second factor: a new session key for the raised
    privilege, and django-otp's mark that OTPMiddleware reads on every request."""
    request.session.cycle_key()
    otp_login(request, device)


def remove_second_factor(user: User, *, by: User) -> int:
    """Delete every device of the user (app and recovery codes); sessions it verified
    are no longer verified. Returns how many devices went."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    logger.info(
        "Second factor removed.",
        extra={"user_id": user.pk, "by_id": by.pk, "devices": removed},
    )
    return removed


# --- The desk's gate ---------------------------------------------------------------


def with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


class DeskSecondFactorMiddleware:
    """Holds every desk page except sign-in and sign-out until the session has passed
    the second factor, for a user who must give one: to the code page when the user
    has an app, else to enrolment. Place it after django-otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._holds(request):
            assert isinstance(request.user, User)
            name = (
                "accounts:second_factor_verify"
                if is_enrolled(request.user)
                else "accounts:second_factor_enrol"
            )
            return HttpResponseRedirect(with_next(name, request.get_full_path()))
        return self.get_response(request)

    def _holds(self, request: HttpRequest) -> bool:
        if not request.path.startswith(reverse("admin:index")):
            return False
        if request.path in {reverse("admin:login"), reverse("admin:logout")}:
            return False
        user = request.user
        if not user.is_authenticated or is_verified(request):
            return False
        return isinstance(user, User) and is_required(user)
