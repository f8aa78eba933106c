"""Newsletter: each edition's free daily email, from sign-up to delivery."""

from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "herald.newsletter"
    label = "newsletter"
