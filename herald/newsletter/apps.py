"""Newsletter: each edition's free daily email, from sign-up to delivery."""

from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "herald.newsletter"
    label = "newsletter"

    def ready(self) -> None:
        from herald.core import schedules
        from herald.newsletter.leases import expire_leases
        from herald.newsletter.scheduling import sweep_newsletters

        # Deliveries whose sender died go back to the queue; then each edition's
        # issue is built at its local hour and its sending queued.
        schedules.register(
            "newsletter.expire_leases", lambda: expire_leases(None), order=20
        )
        schedules.register("newsletter.sweep", sweep_newsletters, order=30)
