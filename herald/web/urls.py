"""Reader URLs of an edition (the edition comes from the Host header)."""

from django.urls import path

from herald.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("news/<int:pk>/<str:slug>/", views.story, name="story"),
    path("section/<slug:slug>/", views.section, name="section"),
    path("place/<slug:slug>/", views.place, name="place"),
    path("author/<slug:slug>/", views.author, name="author"),
    path("brand.css", views.brand_css, name="brand_css"),
]
