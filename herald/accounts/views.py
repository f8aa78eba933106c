"""The submitter's account pages: sign up, verify the address, log in and out, and
reset the password. None of them tells whether an address has an account."""

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from herald.accounts import limits
from herald.accounts.forms import EmailLoginForm, ResetForm, SignupForm
from herald.accounts.models import User
from herald.accounts.tokens import BadToken, read_verify_token, verify_token
from herald.core import ratelimit
from herald.core.roles import Role

logger = logging.getLogger(__name__)


def _client(request: HttpRequest) -> str:
    return ratelimit.client_key(request.META.get("REMOTE_ADDR", ""))


def _mail(to: str, template: str, context: dict[str, Any]) -> None:
    """Send after commit; a mail failure is logged and the page answers the same."""
    subject, _, body = render_to_string(template, context).partition("\n")

    def send() -> None:
        try:
            send_mail(subject.strip(), body.lstrip(), settings.DEFAULT_FROM_EMAIL, [to])
        except (smtplib.SMTPException, OSError):
            logger.exception("Account mail failed.", extra={"template": template})

    transaction.on_commit(send)


def send_verification(request: HttpRequest, user: User) -> None:
    link = request.build_absolute_uri(
        reverse("accounts:verify", kwargs={"token": verify_token(user)})
    )
    _mail(
        user.email,
        "accounts/email/verify.txt",
        {"link": link, "hours": settings.HERALD_VERIFY_LINK_HOURS},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "accounts/signup.html", {"form": form})
    email = form.cleaned_data["email"]
    verdict = ratelimit.hit_all(
        [
            (limits.SIGNUP_IP, _client(request)),
            (limits.SIGNUP_ADDRESS, email),
        ]
    )
    if not verdict.allowed:
        return render(
            request,
            "accounts/limited.html",
            {"minutes": max(1, verdict.retry_after // 60)},
            status=429,
        )
    if form.is_bot:
        # Answer a bot exactly as a person, and do nothing.
        return _sent(request, email)
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is None:
            user = User(username=email, email=email, role=Role.SUBMITTER)
            user.set_password(form.cleaned_data["password1"])
            user.save()
            send_verification(request, user)
            logger.info("Submitter signed up.", extra={"user_id": user.pk})
        else:
            # Hash anyway so that the answer takes as long either way.
            make_password(form.cleaned_data["password1"])
            _mail(
                existing.email,
                "accounts/email/exists.txt",
                {
                    "login": request.build_absolute_uri(reverse("accounts:login")),
                    "reset": request.build_absolute_uri(
                        reverse("accounts:password_reset")
                    ),
                },
            )
    return _sent(request, email)


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = read_verify_token(token)
    except BadToken as exc:
        return render(
            request, "accounts/verify_invalid.html", {"reason": str(exc)}, status=400
        )
    already = user.email_verified_at is not None
    if not already:
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
            email_verified_at=timezone.now()
        )
        logger.info("Submitter verified the address.", extra={"user_id": user.pk})
    return render(request, "accounts/verify_done.html", {"already": already})


@never_cache
@login_required(login_url=reverse_lazy("accounts:login"))
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    verdict = ratelimit.hit(limits.SIGNUP_ADDRESS, user.email.lower())
    if verdict.allowed and not user.email_verified:
        send_verification(request, user)
    return _sent(request, user.email, limited=not verdict.allowed)


def _sent(request: HttpRequest, email: str, *, limited: bool = False) -> HttpResponse:
    return render(
        request,
        "accounts/signup_sent.html",
        {
            "email": email,
            "limited": limited,
            "hours": settings.HERALD_VERIFY_LINK_HOURS,
        },
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = str(request.POST.get("username", "")).strip().lower()[:254]
        verdict = ratelimit.hit_all(
            [
                (limits.LOGIN_IP, _client(request)),
                (limits.LOGIN_ADDRESS, address),
            ]
        )
        if not verdict.allowed:
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(
                self.get_context_data(
                    form=self.authentication_form(request),
                    limited=max(1, verdict.retry_after // 60),
                ),
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return reverse("releases:list")


class ResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The next page is the same whether or not the address
    has an account, and whether or not the rate limit let a mail go."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = ResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        address = str(form.cleaned_data["email"]).strip().lower()
        verdict = ratelimit.hit_all(
            [
                (limits.RESET_IP, _client(self.request)),
                (limits.RESET_ADDRESS, address),
            ]
        )
        if not verdict.allowed:
            logger.info("Password reset limited.", extra={"hits": verdict.hits})
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


reset = never_cache(ResetView.as_view())
reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
login = LoginView.as_view()
logout = auth_views.LogoutView.as_view(next_page=reverse_lazy("accounts:login"))
