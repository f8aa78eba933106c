"""Forms of the submitter's account: sign-up, login by email address, reset."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from herald.accounts.models import User


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address")
    password1 = forms.CharField(
        label="Password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password.",
    )
    password2 = forms.CharField(
        label="Password again",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # The honeypot: hidden from people, filled in by bots.
    nickname = forms.CharField(required=False, max_length=100)

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords differ.")
        elif one and data.get("email"):
            probe = User(username=data["email"], email=data["email"])
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("nickname"))


class EmailLoginForm(AuthenticationForm):
    """Log in with the email address. The one error says nothing about whether the
    address has an account."""

    username = forms.CharField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account.",
        "inactive": "That email address and password do not match an account.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class ResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
