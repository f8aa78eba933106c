"""Submitter accounts: sign-up with a signed, expiring link; login and reset that
look the same whether or not an address has an account; limits on each."""

import re
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from herald.accounts.models import User
from herald.accounts.tests.factories import PASSWORD
from herald.accounts.tokens import BadToken, read_verify_token, verify_token
from herald.releases.tests.factories import make_submitter

pytestmark = pytest.mark.django_db(transaction=True)
NEW = "new@club.example.org"
KNOWN = "press@rowing.example.org"


PASSWORD_NEW = "boathouse-2026!"


def _signup(client: Client, email: str, password: str = PASSWORD_NEW) -> Any:
    return client.post(
        reverse("accounts:signup"),
        {"email": email, "password1": password, "password2": password},
    )


def _main(html: bytes) -> str:
    """The page's main content without its per-response CSRF token."""
    text = html.decode()
    main = text[text.index("<main") : text.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_sign_up_with_a_known_address_looks_the_same_and_mails_the_owner() -> None:
    make_submitter(KNOWN)
    fresh, known = _signup(Client(), NEW), _signup(Client(), KNOWN)
    assert fresh.status_code == known.status_code == 200
    assert _main(fresh.content).replace(NEW, "X") == _main(known.content).replace(
        KNOWN, "X"
    )
    assert User.objects.filter(email__iexact=KNOWN).count() == 1
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[NEW] == "Confirm your address for Herald news releases"
    assert subjects[KNOWN] == "Your Herald news release account"
    # The owner's password is untouched by someone else's sign-up.
    assert Client().login(username=KNOWN, password=PASSWORD)


def test_sign_up_refuses_weak_or_mismatched_passwords_with_clear_errors() -> None:
    weak = _signup(Client(), NEW, "password")
    assert b"This password is too common." in weak.content
    mismatch = Client().post(
        reverse("accounts:signup"),
        {"email": NEW, "password1": "boathouse-2026!", "password2": "other-2026!"},
    )
    assert b"The two passwords differ." in mismatch.content
    assert not User.objects.exists() and not mail.outbox


def test_the_sign_up_honeypot_answers_like_a_person_and_creates_nothing() -> None:
    page = Client().post(
        reverse("accounts:signup"),
        {
            "email": NEW,
            "password1": "boathouse-2026!",
            "password2": "boathouse-2026!",
            "nickname": "x",
        },
    )
    assert b"Check your inbox" in page.content
    assert not User.objects.exists() and not mail.outbox


def test_sign_up_is_limited_per_address_and_per_client() -> None:
    codes = [_signup(Client(), NEW).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(mail.outbox) == 3
    client_codes = [
        _signup(Client(), f"a{i}@club.example.org").status_code for i in range(8)
    ]
    # Ten sign-ups an hour from one client: 4 above plus these 6, then refused.
    assert client_codes == [200] * 6 + [429] * 2


def test_the_verify_link_works_once_and_refuses_tampering_expiry_and_new_address(
    settings: Any,
) -> None:
    user = make_submitter(NEW, verified=False).user
    token = verify_token(user)
    client = Client()
    assert (
        b"Address confirmed"
        in client.get(reverse("accounts:verify", args=[token])).content
    )
    user.refresh_from_db()
    assert user.email_verified_at is not None
    again = client.get(reverse("accounts:verify", args=[token]))
    assert b"Already confirmed" in again.content
    tampered = client.get(reverse("accounts:verify", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 400 and b"not valid" in tampered.content
    old = signing.dumps({"u": user.pk, "e": NEW}, salt="herald.accounts.verify-email")
    settings.HERALD_VERIFY_LINK_HOURS = 0
    with pytest.raises(BadToken, match="expired"):
        read_verify_token(old)
    settings.HERALD_VERIFY_LINK_HOURS = 48
    user.email = "changed@club.example.org"
    user.save()
    with pytest.raises(BadToken, match="not valid"):
        read_verify_token(token)


def test_login_says_the_same_for_an_unknown_address_and_a_wrong_password() -> None:
    make_submitter(KNOWN)
    url = reverse("accounts:login")
    unknown = Client().post(url, {"username": NEW, "password": "whatever-123"})
    wrong = Client().post(url, {"username": KNOWN, "password": "whatever-123"})
    assert unknown.status_code == wrong.status_code == 200
    assert _main(unknown.content).replace(NEW, "X") == _main(wrong.content).replace(
        KNOWN, "X"
    )
    ok = Client().post(url, {"username": KNOWN.upper(), "password": PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == reverse("releases:list")


def test_login_is_limited_per_address_whether_or_not_it_exists() -> None:
    make_submitter(KNOWN)
    url = reverse("accounts:login")
    for address in (KNOWN, NEW):
        codes = [
            Client()
            .post(url, {"username": address, "password": "nope-nope-1"})
            .status_code
            for _ in range(11)
        ]
        assert codes == [200] * 10 + [429]
    # Even the right password waits out the limit.
    blocked = Client().post(url, {"username": KNOWN, "password": PASSWORD})
    assert blocked.status_code == 429 and b"Too many attempts" in blocked.content


def test_reset_looks_the_same_for_any_address_and_mails_only_an_account() -> None:
    make_submitter(KNOWN)
    url = reverse("accounts:password_reset")
    unknown = Client().post(url, {"email": NEW})
    known = Client().post(url, {"email": KNOWN})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert [m.to for m in mail.outbox] == [[KNOWN]]
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line
    )
    client = Client()
    form = client.get(link.replace("http://testserver", ""), follow=True)
    assert b"Choose a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "new-boathouse-77", "new_password2": "new-boathouse-77"},
    )
    assert done.status_code == 302
    assert Client().login(username=KNOWN, password="new-boathouse-77")
    # The link works once.
    reuse = Client().get(link.replace("http://testserver", ""), follow=True)
    assert b"expired or was already used" in reuse.content


def test_reset_is_limited_per_address_silently() -> None:
    make_submitter(KNOWN)
    url = reverse("accounts:password_reset")
    for _ in range(5):
        assert Client().post(url, {"email": KNOWN}).status_code == 302
    assert len(mail.outbox) == 3


def test_a_new_verify_link_can_be_asked_for_and_it_works() -> None:
    submitter = make_submitter(NEW, verified=False)
    client = Client()
    client.force_login(submitter.user)
    page = client.post(reverse("accounts:verify_resend"))
    assert b"Check your inbox" in page.content
    assert mail.outbox[-1].subject == "Confirm your address for Herald news releases"
    link = re.search(
        r"http://testserver(/account/verify/\S+/)", str(mail.outbox[-1].body)
    )
    assert link is not None
    assert b"Address confirmed" in client.get(link.group(1)).content
    submitter.user.refresh_from_db()
    assert submitter.user.email_verified_at is not None
