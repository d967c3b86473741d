"""What a moderator's ban and a chat mute share: who imposed it and when, an end time (or none),
and being lifted early."""

from typing import TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

_S = TypeVar("_S", bound="Sanction")


class SanctionQuerySet(models.QuerySet[_S]):
    def active(self) -> "SanctionQuerySet[_S]":
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))


class Sanction(models.Model):
    """Subclasses add `user`, `until` (empty: until lifted) and `reason`, each with their own wording."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
