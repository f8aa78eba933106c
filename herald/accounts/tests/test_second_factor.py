"""The desk's second factor, through the real sign-in pages and django-otp's real
devices: codes are computed with django-otp's own TOTP from the device's key, as an
authenticator app computes them."""

import html
import re
import time
from base64 import b32decode

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from herald.accounts.models import User
from herald.accounts.second_factor import (
    CODE_TRIES,
    confirm_enrolment,
    start_enrolment,
)
from herald.accounts.second_factor_views import WRONG_CODE, WRONG_RECOVERY
from herald.accounts.tests.factories import PASSWORD, make_user
from herald.core.roles import Role

pytestmark = pytest.mark.django_db

DESK = "/desk/"
VERIFY = "/account/2fa/verify/"
ENROL = "/account/2fa/enrol/"
REQUIRED = override_settings(HERALD_DESK_REQUIRE_2FA=True)


def _code_for(device: TOTPDevice) -> str:
    """What the app shows now, for the next step django-otp has not yet accepted (it
    takes one step ahead of the clock, and never a step twice)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    assert step <= totp.t() + device.tolerance
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():06d}"


def _code(user: User) -> str:
    return _code_for(TOTPDevice.objects.get(user=user, confirmed=True))


def _wrong_code(user: User) -> str:
    right = _code(user)
    return "000000" if right != "000000" else "111111"


def _enrolled(user: User) -> list[str]:
    """The user's app set up and confirmed; returns the recovery codes."""
    device = start_enrolment(user)
    return list(confirm_enrolment(device, _code_for(device)).codes)


def _sign_in(user: User) -> Client:
    """A browser that signed in to the desk with the password (no second factor)."""
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": DESK},
    )
    assert response.status_code == 302, response.content
    return client


def _location(response: object) -> str:
    return str(response["Location"])  # type: ignore[index]


def test_in_development_an_editor_opens_the_desk_without_a_second_factor() -> None:
    editor = make_user("dev-editor", Role.EDITOR, [])
    with override_settings(HERALD_DESK_REQUIRE_2FA=False):
        assert _sign_in(editor).get(DESK).status_code == 200


@REQUIRED
def test_required_editor_enrols_saves_ten_recovery_codes_and_reaches_the_desk() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    client = _sign_in(editor)
    held = client.get(DESK)
    assert held.status_code == 302
    assert _location(held) == f"{ENROL}?next=%2Fdesk%2F"

    page = client.get(_location(held))
    assert page.status_code == 200
    body = page.content.decode()
    assert '<svg role="img"' in body and "QR code for your authenticator app" in body
    assert 'inputmode="numeric"' in body and 'autocomplete="one-time-code"' in body
    # The key as text, typed into an app by hand, gives the code that confirms it.
    secret = re.search(r'<code class="rel-address">([A-Z2-7 ]+)</code>', body)
    assert secret is not None
    app = TOTP(b32decode(secret.group(1).replace(" ", "")))
    confirmed = client.post(ENROL, {"code": f"{app.token():06d}", "next": DESK})
    assert confirmed.status_code == 302

    codes_page = client.get(_location(confirmed))
    shown = re.findall(
        r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", codes_page.content.decode()
    )
    assert len(shown) == 10
    stored = set(
        StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    )
    assert stored == {code.replace("-", "") for code in shown}
    assert f'href="{DESK}"' in codes_page.content.decode()
    # Shown once: the page does not show them again.
    assert client.get(_location(confirmed)).status_code == 302

    assert client.get(DESK).status_code == 200
    assert TOTPDevice.objects.get(user=editor).confirmed


@REQUIRED
def test_the_next_sign_in_asks_for_the_code_and_returns_to_the_page() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    client = _sign_in(editor)
    target = reverse("admin:password_change")
    held = client.get(target)
    assert _location(held) == f"{VERIFY}?next=%2Fdesk%2Fpassword_change%2F"

    page = client.get(_location(held)).content.decode()
    assert "Enter the 6-digit code from your app, or a recovery code." in page
    assert '<label for="id_code">6-digit code from your app</label>' in page
    assert '<label for="id_recovery_code">Recovery code</label>' in page

    passed = client.post(VERIFY, {"code": _code(editor), "next": target})
    assert passed.status_code == 302 and _location(passed) == target
    assert client.get(target).status_code == 200


@REQUIRED
def test_a_wrong_code_is_refused_with_a_clear_error() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    client = _sign_in(editor)
    refused = client.post(VERIFY, {"code": _wrong_code(editor), "next": DESK})
    assert refused.status_code == 200
    assert html.escape(WRONG_CODE) in refused.content.decode()
    assert client.get(DESK).status_code == 302


@REQUIRED
@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # leave django-otp's back-off aside
def test_five_tries_then_too_many_tries_even_for_the_right_code() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    client = _sign_in(editor)
    # The limit counts in fixed windows; start the six tries well inside one.
    left = CODE_TRIES.window - time.time() % CODE_TRIES.window
    if left < 30:
        time.sleep(left + 0.1)
    for _ in range(5):
        refused = client.post(VERIFY, {"code": _wrong_code(editor), "next": DESK})
        assert refused.status_code == 200
    limited = client.post(VERIFY, {"code": _code(editor), "next": DESK})
    assert limited.status_code == 429
    assert re.search(
        r"Too many tries\. Please wait about \d+ minutes? and try again\.",
        limited.content.decode(),
    )
    assert client.get(DESK).status_code == 302
    # The budget is the user's, not the session's: a new sign-in gets no more.
    again = _sign_in(editor).post(VERIFY, {"code": _code(editor), "next": DESK})
    assert again.status_code == 429


@REQUIRED
def test_django_otps_back_off_after_wrong_codes_holds_even_the_right_code() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    device = TOTPDevice.objects.get(user=editor)
    for _ in range(4):  # four wrong codes in a row: wait 8 seconds
        device.throttle_increment()
    held = _sign_in(editor).post(VERIFY, {"code": _code(editor), "next": DESK})
    assert held.status_code == 429
    assert "Too many wrong codes in a row. Wait" in held.content.decode()


@REQUIRED
def test_a_recovery_code_works_once() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    code = _enrolled(editor)[0]
    typed = f"{code[:4]}-{code[4:]}".upper()
    client = _sign_in(editor)
    passed = client.post(VERIFY, {"recovery_code": typed, "next": DESK})
    assert passed.status_code == 302 and _location(passed) == DESK
    desk = client.get(DESK)
    assert desk.status_code == 200
    assert "You signed in with a recovery code; 9 left." in desk.content.decode()

    again = _sign_in(editor).post(VERIFY, {"recovery_code": typed, "next": DESK})
    assert again.status_code == 200
    assert html.escape(WRONG_RECOVERY) in again.content.decode()


@REQUIRED
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/desk/",
        "//evil.example/desk/",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_that_leaves_the_site_is_refused(target: str) -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    client = _sign_in(editor)
    passed = client.post(VERIFY, {"code": _code(editor), "next": target})
    assert passed.status_code == 302 and _location(passed) == DESK
    # Already verified, the page sends on at once: still not off the site.
    assert _location(client.get(VERIFY, {"next": target})) == DESK


@REQUIRED
def test_a_writer_without_a_device_is_not_forced() -> None:
    writer = make_user("writer", Role.CONTRIBUTOR, [])
    client = _sign_in(writer)
    assert client.get(DESK).status_code == 200
    assert _location(client.get(VERIFY, {"next": DESK})) == DESK


@REQUIRED
def test_a_writer_who_turned_it_on_is_asked_and_may_turn_it_off() -> None:
    writer = make_user("writer", Role.CONTRIBUTOR, [])
    client = _sign_in(writer)
    manage = client.get("/account/2fa/")
    assert "Optional" in manage.content.decode()
    client.get(ENROL)  # the app gets its key from this page
    device = TOTPDevice.objects.get(user=writer)
    confirmed = client.post(ENROL, {"code": _code_for(device), "next": "/account/2fa/"})
    assert confirmed.status_code == 302

    later = _sign_in(writer)
    assert _location(later.get(DESK)) == f"{VERIFY}?next=%2Fdesk%2F"
    later.post(VERIFY, {"code": _code(writer), "next": DESK})
    assert later.get(DESK).status_code == 200

    off = later.post("/account/2fa/off/", {"code": _code(writer)})
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=writer).exists()
    assert not StaticToken.objects.filter(device__user=writer).exists()
    assert _sign_in(writer).get(DESK).status_code == 200


@REQUIRED
def test_an_editor_cannot_turn_it_off_when_the_role_requires_it() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    client = _sign_in(editor)
    client.post(VERIFY, {"code": _code(editor), "next": DESK})
    assert "Turn off" not in client.get("/account/2fa/").content.decode()
    client.post("/account/2fa/off/", {"code": _code(editor)})
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


@REQUIRED
def test_new_recovery_codes_need_a_current_code_and_replace_the_old() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    old = _enrolled(editor)
    client = _sign_in(editor)
    client.post(VERIFY, {"code": _code(editor), "next": DESK})
    url = "/account/2fa/recovery-codes/new/"
    made = client.post(url, {"code": _code(editor)})
    assert made.status_code == 302
    page = client.get(_location(made)).content.decode()
    assert len(re.findall(r"<li><code>", page)) == 10
    stored = set(
        StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    )
    assert len(stored) == 10 and not stored & set(old)
    refused = client.post(url, {"code": _wrong_code(editor)})
    assert refused.status_code == 200
    assert html.escape(WRONG_CODE) in refused.content.decode()
    assert StaticToken.objects.filter(token__in=stored).count() == 10
    # The session stays verified: the recovery device itself was kept.
    assert client.get(DESK).status_code == 200


@REQUIRED
def test_a_session_with_only_the_password_cannot_set_up_another_app() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(editor)
    client = _sign_in(editor)
    assert _location(client.get(ENROL)).startswith(VERIFY)
    assert _location(client.get("/account/2fa/")).startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=editor).count() == 1


@REQUIRED
def test_sign_in_and_sign_out_stay_open_while_held() -> None:
    editor = make_user("editor", Role.EDITOR, [])
    client = _sign_in(editor)
    assert client.post(reverse("admin:logout")).status_code == 200
    assert Client().get(reverse("admin:login")).status_code == 200


def test_the_pages_are_for_desk_users_only() -> None:
    submitter = make_user("press@example.org", Role.SUBMITTER, [])
    client = Client()
    client.force_login(submitter)
    assert client.get("/account/2fa/").status_code == 404
    anonymous = Client().get("/account/2fa/")
    assert _location(anonymous).startswith(reverse("admin:login"))


@REQUIRED
def test_an_admin_resets_a_lost_second_factor_and_it_is_logged() -> None:
    chief = make_user("chief", Role.ADMIN, [])
    editor = make_user("editor", Role.EDITOR, [])
    _enrolled(chief)
    _enrolled(editor)
    client = _sign_in(chief)
    client.post(VERIFY, {"code": _code(chief), "next": DESK})
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [editor.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticToken.objects.filter(device__user=editor).exists()
    assert TOTPDevice.objects.filter(user=chief).exists()
    entry = LogEntry.objects.get(object_id=str(editor.pk))
    assert entry.user_id == chief.pk
    assert "Reset the second factor." in entry.get_change_message()
    change = client.get(reverse("admin:accounts_user_change", args=[editor.pk]))
    assert re.search(
        r"Second factor:</label>\s*<div class=\"readonly\">Off", change.content.decode()
    )
    # The editor sets up a new app at the next sign-in.
    assert _location(_sign_in(editor).get(DESK)).startswith(ENROL)
