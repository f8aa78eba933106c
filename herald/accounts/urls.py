"""The submitter's account URLs, under /account/ and the "accounts" namespace."""

from django.urls import path

from herald.accounts import views

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
]
