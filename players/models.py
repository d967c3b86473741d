import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DISPLAY_NAME_MAX_LENGTH = 64


class AvatarQuerySet(models.QuerySet["Avatar"]):
    def active(self) -> "AvatarQuerySet":
        return self.filter(is_active=True)


class Avatar(models.Model):
    """One look from the catalog: a sprite sheet of 3 walking frames (columns) for each of the
    4 directions (rows: down, left, right, up), each frame FRAME_SIZE pixels square."""

    FRAME_SIZE = 32
    COLUMNS = 3
    ROWS = 4

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    sprite = models.BinaryField(help_text="PNG sprite sheet, 96×128 pixels.")
    sprite_hash = models.CharField(max_length=16, editable=False)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the picker.")
    is_active = models.BooleanField(default=True, help_text="Inactive looks are not offered any more.")

    objects = AvatarQuerySet.as_manager()

    class Meta:
        ordering = ("position", "slug")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.sprite_hash = hashlib.sha256(bytes(self.sprite)).hexdigest()[:16]
        super().save(*args, **kwargs)

    @property
    def url(self) -> str:
        return f"/avatars/{self.slug}.png?v={self.sprite_hash}"


class Status(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    DO_NOT_DISTURB = "dnd", _("Do not disturb")
    AWAY = "away", _("Away")


class Player(models.Model):
    """A user's presence in the worlds: how they look and whether they want to be disturbed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="player"
    )
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX_LENGTH)
    avatar = models.ForeignKey(Avatar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE)
    # When they closed the first-visit guide over the map: shown once per account.
    guide_seen_at = models.DateTimeField(null=True, blank=True)
    # Not found by others: `locate` (Locate, Walk to, Follow) refuses, and the people list and the
    # world API leave out their zone (docs/protocol.md "locate").
    hide_location = models.BooleanField(
        default=False, help_text="Others cannot locate, walk to or follow this player, nor see their zone."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("display_name",)

    def __str__(self) -> str:
        return self.display_name
