from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from metaverse.sanctions import Sanction, SanctionQuerySet

TEXT_MAX_LENGTH = 2000
CLIENT_ID_MAX_LENGTH = 64


class Scope(models.TextChoices):
    WORLD = "world", "Everyone in the world"
    NEARBY = "nearby", "Players nearby"
    ZONE = "zone", "Everyone in a zone"
    DIRECT = "direct", "One player"
    SYSTEM = "system", "From the operators"


class Message(models.Model):
    """One chat message in a world. `text` is plain text: every page shows it escaped."""

    world = models.ForeignKey("world.World", on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="Empty for system messages.",
    )  # fmt: skip
    scope = models.CharField(max_length=8, choices=Scope.choices)
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    zone = models.CharField(max_length=100, blank=True, help_text="The zone's name, for zone messages.")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="The one player a direct message is for.",
    )  # fmt: skip
    audience = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Audience", related_name="+", blank=True,
        help_text="Who heard a nearby or zone message when it was sent (besides the sender).",
    )  # fmt: skip
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("world", "created_at"), name="chat_message_world_time")]
        # Moderators hide messages; nobody edits what someone said.
        permissions = [("hide_message", "Can hide chat messages")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="direct") | Q(recipient__isnull=False), name="direct_message_has_recipient"
            ),
            models.CheckConstraint(
                condition=Q(scope="system") | Q(sender__isnull=False), name="only_system_messages_lack_a_sender"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.text[:60]}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Audience(models.Model):
    """A player who was among a nearby or zone message's recipients."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=("user", "message"), name="one_audience_row_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} heard {self.message_id}"


class Block(models.Model):
    """`blocker` no longer gets direct messages from `blocked`, nor sees their messages."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("blocker", "blocked"), name="one_block_per_pair"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="no_blocking_yourself"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class Mute(Sanction):
    """A moderator's ban on chatting, until a time or (with no `until`) until lifted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: until a moderator lifts it.")
    reason = models.CharField(max_length=500, blank=True)

    objects = SanctionQuerySet["Mute"].as_manager()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.user} muted until {self.until.isoformat() if self.until else 'lifted'}"
