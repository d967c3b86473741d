from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from metaverse.i18n import Text, render, text
from metaverse.sanctions import Sanction, SanctionQuerySet

REASON_MAX_LENGTH = 500
REPORT_REASON_MAX_LENGTH = 1000
OPERATOR = "operator (manage.py)"


def when(moment: datetime) -> str:
    """A time as players and operators read it: `2026-06-01 14:00 UTC`."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


class Ban(Sanction):
    """Keeps a user (and, with `ip`, anyone connecting from that address) out of every world."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans")
    ip = models.GenericIPAddressField(
        "IP address", null=True, blank=True, unpack_ipv4=True,
        help_text="Optional: also refuse every connection from this address (for guests, who can make new accounts).",
    )  # fmt: skip
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)
    until = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")
    # The authority it was made with, kept as it was then (a moderator promoted or demoted later,
    # or deleted, changes nothing): only superusers lift such a ban, and it reaches staff too.
    by_superuser = models.BooleanField(
        "made by a superuser or an operator", default=False,
        help_text="Only a superuser lifts it; its address ban applies to staff accounts too.",
    )  # fmt: skip

    objects = SanctionQuerySet["Ban"].as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("ip",), name="moderation_ban_ip")]
        # Kicking has no model of its own; the permission lives with the bans.
        permissions = [("kick_player", "Can kick players out of worlds")]

    def __str__(self) -> str:
        return f"{self.user} banned {self.term()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None and (self.until is None or self.until > timezone.now())

    def term(self) -> str:
        return f"until {when(self.until)}" if self.until else "for good"

    def refusal_message(self, *, by_address: bool = False) -> str:
        """What a refused or closed connection is told (docs/protocol.md, code 4003), in the
        active language."""
        return render(self.refusal_text(by_address=by_address))

    def refusal_text(self, *, by_address: bool = False) -> Text:
        """The same, to be translated where it is shown (a socket on another process)."""
        if by_address and self.until:
            words = text(
                gettext_noop("Connections from your address are banned until %(until)s."), until=when(self.until)
            )
        elif by_address:
            words = text(gettext_noop("Connections from your address are banned for good."))
        elif self.until:
            words = text(gettext_noop("You are banned until %(until)s."), until=when(self.until))
        else:
            words = text(gettext_noop("You are banned for good."))
        return words + text(gettext_noop("Reason: %(reason)s"), reason=self.reason) if self.reason else words


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIONED = "actioned", "Actioned"
    DISMISSED = "dismissed", "Dismissed"


class Report(models.Model):
    """A player's complaint about another player, or about one of their messages."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_against",
        verbose_name="reported player",
    )
    message = models.ForeignKey("chat.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message_text = models.TextField(blank=True, help_text="The message as it read when reported.")
    reason = models.TextField(max_length=REPORT_REASON_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(
        max_length=REASON_MAX_LENGTH, blank=True, help_text="What was done, for the next moderator."
    )

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Report #{self.pk} on {self.reported}"


class Action(models.TextChoices):
    KICK = "kick", "Kick"
    BAN = "ban", "Ban"
    UNBAN = "unban", "Unban"
    MUTE = "mute", "Mute"
    UNMUTE = "unmute", "Unmute"
    HIDE_MESSAGE = "hide_message", "Hide message"
    REPORT_ACTIONED = "report_actioned", "Report actioned"
    REPORT_DISMISSED = "report_dismissed", "Report dismissed"
    BROADCAST = "broadcast", "Broadcast"
    PURGE_CHAT = "purge_chat", "Purge chat"
    EDIT_AREA = "edit_area", "Edit area"


class AuditEntry(models.Model):
    """One moderation action: who, what, to whom, why, when. Written by the services only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField("by", max_length=200, help_text="Kept when the account is gone.")
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_label = models.CharField("to", max_length=200, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        target = f" {self.target_label}" if self.target_label else ""
        return f"{self.actor_label}: {self.get_action_display()}{target}"
