"""The account URLs, under /account/ and the "accounts" namespace: the submitter's
pages and the desk's second factor (/account/2fa/…)."""

from django.urls import path

from herald.accounts import second_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("verify/resend/", views.resend_verification, name="verify_resend"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password-reset/", views.reset, name="password_reset"),
    path("password-reset/sent/", views.reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.reset_complete, name="password_reset_complete"),
    path("2fa/", second_factor_views.manage, name="second_factor"),
    path("2fa/verify/", second_factor_views.verify, name="second_factor_verify"),
    path("2fa/enrol/", second_factor_views.enrol, name="second_factor_enrol"),
    path(
        "2fa/recovery-codes/",
        second_factor_views.recovery_codes,
        name="second_factor_codes",
    ),
    path(
        "2fa/recovery-codes/new/",
        second_factor_views.new_recovery_codes,
        name="second_factor_new_codes",
    ),
    path("2fa/off/", second_factor_views.turn_off, name="second_factor_off"),
]
