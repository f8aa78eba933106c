"""Signals other apps listen to. Sent after the transaction commits."""

from django.dispatch import Signal

# A story's public face may have changed: published, updated, corrected, retracted,
# or given an image. Payload: story_id.
story_changed = Signal()
