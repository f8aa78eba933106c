"""The second factor's pages under /account/2fa/: the code page, enrolment, the
recovery codes shown once, and each desk user's own page to make new recovery codes
or turn the second factor off."""

import logging
import math
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from herald.accounts.access import signed_in_user
from herald.accounts.models import User
from herald.accounts.second_factor import (
    CODE_TRIES,
    Check,
    check_code,
    confirm_enrolment,
    is_enrolled,
    is_verified,
    make_recovery_codes,
    mark_verified,
    normalise_recovery_code,
    otpauth_url,
    qr_svg,
    recovery_codes_left,
    remove_second_factor,
    role_requires,
    secret_text,
    start_enrolment,
    with_next,
)
from herald.core import ratelimit
from herald.core.roles import DESK_ROLES

logger = logging.getLogger(__name__)

NEW_CODES_KEY = "herald_2fa_new_codes"  # in the session until the codes page shows them
WRONG_CODE = "That code did not work. Enter the newest code your app shows."
WRONG_RECOVERY = "That recovery code did not work. Each recovery code works only once."

View = Callable[..., HttpResponse]


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your app",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "size": "8",
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("Enter the 6 digits your app shows.")
        return code


class RecoveryForm(forms.Form):
    recovery_code = forms.CharField(
        label="Recovery code",
        max_length=20,
        help_text="One of the ten codes you saved, such as abcd-2345.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "size": "12",
            }
        ),
    )

    def clean_recovery_code(self) -> str:
        code = normalise_recovery_code(str(self.cleaned_data["recovery_code"]))
        if not re.fullmatch(r"[a-z2-7]{8}", code):
            raise forms.ValidationError("A recovery code is 8 letters and digits.")
        return code


def desk_user_required(view: View) -> View:
    """Signed in (else the desk's sign-in page), with a desk role (else 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        user = signed_in_user(request)
        if user.role not in DESK_ROLES:
            raise Http404
        return view(request, user, *args, **kwargs)

    return wrapped


def _next(request: HttpRequest) -> str:
    """Where to go afterwards: `next` if it stays on this host, else the desk."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _check_form(
    user: User, form: forms.Form, field: str, checker: Callable[[str], Check]
) -> tuple[Check | None, str]:
    """Count one try against the user's budget and check the form's code. Returns
    the check (None when the form stopped it) and a notice when the budget or
    django-otp's back-off holds; a wrong code becomes the field's error."""
    verdict = ratelimit.hit(CODE_TRIES, str(user.pk))
    if not verdict.allowed:
        minutes = max(1, math.ceil(verdict.retry_after / 60))
        plural = "" if minutes == 1 else "s"
        wait = f"{minutes} minute{plural}"
        return None, f"Too many tries. Please wait about {wait} and try again."
    if not form.is_valid():
        return None, ""
    check = checker(form.cleaned_data[field])
    if check.wait_seconds:
        plural = "" if check.wait_seconds == 1 else "s"
        wait = f"{check.wait_seconds} second{plural}"
        return check, f"Too many wrong codes in a row. Wait {wait} and try again."
    if check.device is None:
        logger.info("Second factor code refused.", extra={"user_id": user.pk})
        form.add_error(
            field, WRONG_RECOVERY if field == "recovery_code" else WRONG_CODE
        )
    return check, ""


def _show_codes(
    request: HttpRequest, codes: tuple[str, ...], target: str
) -> HttpResponse:
    request.session[NEW_CODES_KEY] = list(codes)
    return HttpResponseRedirect(with_next("accounts:second_factor_codes", target))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@desk_user_required
def verify(request: HttpRequest, user: User) -> HttpResponse:
    target = _next(request)
    if not is_enrolled(user):
        if role_requires(user):
            return redirect(with_next("accounts:second_factor_enrol", target))
        return redirect(target)
    if is_verified(request):
        return redirect(target)
    recovery = "recovery_code" in request.POST
    forms_: dict[str, forms.Form] = {
        "code_form": CodeForm(),
        "recovery_form": RecoveryForm(),
    }
    notice = ""
    if request.method == "POST":
        form = RecoveryForm(request.POST) if recovery else CodeForm(request.POST)
        forms_["recovery_form" if recovery else "code_form"] = form
        field = "recovery_code" if recovery else "code"
        check, notice = _check_form(
            user, form, field, lambda code: check_code(user, code, recovery=recovery)
        )
        if check is not None and check.device is not None:
            mark_verified(request, check.device)
            if recovery:
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. Make new ones "
                    "on your two-factor page if you are running out.",
                )
            return redirect(target)
    context = {"next": target, "notice": notice, "recovery_open": recovery, **forms_}
    status = 429 if notice else 200
    return render(request, "accounts/2fa_verify.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@desk_user_required
def enrol(request: HttpRequest, user: User) -> HttpResponse:
    target = _next(request)
    if is_enrolled(user):
        return redirect(with_next("accounts:second_factor_verify", target))
    device = start_enrolment(user)
    form = CodeForm(request.POST or None)
    notice = ""
    if request.method == "POST":
        check, notice = _check_form(
            user, form, "code", lambda code: confirm_enrolment(device, code)
        )
        if check is not None and check.device is not None:
            mark_verified(request, check.device)
            return _show_codes(request, check.codes, target)
    context = {
        "next": target,
        "form": form,
        "notice": notice,
        "required": role_requires(user),
        "qr": qr_svg(device),
        "secret": secret_text(device),
        "otpauth": otpauth_url(device),
    }
    status = 429 if notice else 200
    return render(request, "accounts/2fa_enrol.html", context, status=status)


@never_cache
@desk_user_required
def recovery_codes(request: HttpRequest, user: User) -> HttpResponse:
    """The new recovery codes, shown once: the session forgets them here."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("accounts:second_factor")
    shown = [f"{code[:4]}-{code[4:]}" for code in codes]
    context = {"codes": shown, "next": _next(request)}
    return render(request, "accounts/2fa_codes.html", context)


def _manage(
    request: HttpRequest, user: User, *, notice: str = "", **forms_: forms.Form
) -> HttpResponse:
    context = {
        "enrolled": is_enrolled(user),
        "required": role_requires(user),
        "codes_left": recovery_codes_left(user),
        "notice": notice,
        "new_codes_form": forms_.get("new_codes") or CodeForm(auto_id="new-codes-%s"),
        "off_form": forms_.get("off") or CodeForm(auto_id="off-%s"),
    }
    status = 429 if notice else 200
    return render(request, "accounts/2fa_manage.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
@desk_user_required
def manage(request: HttpRequest, user: User) -> HttpResponse:
    if is_enrolled(user) and not is_verified(request):
        return redirect(with_next("accounts:second_factor_verify", request.path))
    return _manage(request, user)


@never_cache
@require_POST
@desk_user_required
def new_recovery_codes(request: HttpRequest, user: User) -> HttpResponse:
    """New recovery codes for a verified session, given a current code."""
    if not (is_enrolled(user) and is_verified(request)):
        return redirect("accounts:second_factor")
    form = CodeForm(request.POST, auto_id="new-codes-%s")
    check, notice = _check_form(user, form, "code", lambda c: check_code(user, c))
    if check is not None and check.device is not None:
        codes = tuple(make_recovery_codes(user))
        logger.info("Recovery codes replaced.", extra={"user_id": user.pk})
        return _show_codes(request, codes, reverse("accounts:second_factor"))
    return _manage(request, user, notice=notice, new_codes=form)


@never_cache
@require_POST
@desk_user_required
def turn_off(request: HttpRequest, user: User) -> HttpResponse:
    """Turn the second factor off, given a current code, where the role allows."""
    if role_requires(user) or not (is_enrolled(user) and is_verified(request)):
        return redirect("accounts:second_factor")
    form = CodeForm(request.POST, auto_id="off-%s")
    check, notice = _check_form(user, form, "code", lambda c: check_code(user, c))
    if check is not None and check.device is not None:
        remove_second_factor(user, by=user)
        messages.success(request, "Two-factor sign-in is off.")
        return redirect("accounts:second_factor")
    return _manage(request, user, notice=notice, off=form)
