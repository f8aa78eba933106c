"""The submitter's URLs under /releases/ (the "releases" namespace)."""

from django.urls import path

from herald.releases import views

app_name = "releases"
urlpatterns = [
    path("", views.release_list, name="list"),
    path("submit/", views.submit, name="submit"),
    path("profile/", views.profile, name="profile"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/preview/", views.preview, name="preview"),
]
