"""URL patterns of the sign-up, confirm, preferences and unsubscribe pages."""

from django.urls import URLPattern, path

from herald.newsletter import views_subscribe as views

urlpatterns: list[URLPattern] = [
    path("", views.subscribe_page, name="subscribe"),
    path("confirm/<str:token>/", views.confirm_page, name="confirm"),
    path("preferences/<str:token>/", views.preferences_page, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
]
