"""Ingest verbs the desk calls: merge clusters, and split an item out of its
cluster. Polling is herald.ingest.polling; storing items, herald.ingest.storing."""

import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from herald.accounts.models import User
from herald.ingest import clustering
from herald.ingest.models import Cluster, ItemState, WireItem
from herald.ingest.storing import Context, settle

logger = logging.getLogger(__name__)


def _check_editor(by: User) -> None:
    if not (by.is_active and by.is_editor):
        raise PermissionDenied("Only editors change clusters.")


@transaction.atomic
def merge_clusters(target: Cluster, others: Iterable[Cluster], *, by: User) -> Cluster:
    """Move every item of `others` into `target` (their stories stay as they are)
    and delete the emptied clusters."""
    _check_editor(by)
    target = Cluster.objects.select_for_update().get(pk=target.pk)
    lead = WireItem.objects.filter(pk=target.lead_id or 0).first()
    lead_sig = clustering.from_bytes(lead.signature) if lead else None
    other_ids = [c.pk for c in others if c.pk != target.pk]
    if not other_ids:
        raise ValidationError("Choose at least two clusters to merge.")
    for wire in WireItem.objects.filter(cluster_id__in=other_ids):
        wire.cluster = target
        wire.similarity = (
            clustering.similarity(clustering.from_bytes(wire.signature), lead_sig)
            if lead_sig is not None
            else 0.0
        )
        wire.save(update_fields=["cluster", "similarity"])
    Cluster.objects.filter(pk__in=other_ids).delete()
    Cluster.objects.filter(pk=target.pk).update(updated_at=timezone.now())
    logger.info(
        "Clusters merged.", extra={"cluster_id": target.pk, "merged": other_ids}
    )
    return target


@transaction.atomic
def split_item(wire: WireItem, *, by: User) -> Cluster:
    """Take `wire` out of its cluster into a cluster of its own. An item without a
    story is then routed like any new item, so its news is no longer hidden."""
    _check_editor(by)
    wire = WireItem.objects.select_for_update().select_related("source").get(pk=wire.pk)
    old = wire.cluster
    if old is not None and old.lead_id == wire.pk and old.items.count() == 1:
        raise ValidationError("The item is alone in its cluster already.")
    now = timezone.now()
    cluster = Cluster.objects.create(lead=wire, created_at=now, updated_at=now)
    wire.cluster, wire.similarity = cluster, 1.0
    wire.save(update_fields=["cluster", "similarity"])
    if old is not None and old.lead_id == wire.pk:
        _choose_new_lead(old)
    if wire.story_id is None and wire.state == ItemState.DUPLICATE:
        settle(Context.for_source(wire.source), wire)
    logger.info("Item split from its cluster.", extra={"item_id": wire.pk})
    return cluster


def _choose_new_lead(cluster: Cluster) -> None:
    """The oldest remaining item with a story leads, else the oldest item."""
    rest = list(cluster.items.order_by("received_at", "pk"))
    if not rest:
        cluster.delete()
        return
    lead = next((w for w in rest if w.story_id), rest[0])
    cluster.lead = lead
    cluster.save(update_fields=["lead"])
    lead_sig = clustering.from_bytes(lead.signature)
    for wire in rest:
        wire.similarity = clustering.similarity(
            clustering.from_bytes(wire.signature), lead_sig
        )
        wire.save(update_fields=["similarity"])
