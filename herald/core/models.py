"""Leases that let one worker in the network run a scheduled job at a time."""

from django.db import models


class Lease(models.Model):
    """Held by one worker (`holder`) until `expires_at`; a worker that dies stops
    renewing it, and another takes it over when it expires."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'} until {self.expires_at}"
