"""Moderation actions. Each one writes an audit entry in the same transaction, and whatever it
changes on open sockets (closing them) is sent only once that transaction has committed, to the
user's group, which every socket of theirs on every server process has joined.

`by` is the moderator, or None for an operator at the command line."""

import ipaddress
import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from accounts.models import User
from chat.models import Message, Mute
from chat.selectors import messages_visible
from chat.services import message_hide, message_post_system, mute_create, mute_lift
from metaverse.errors import AppError
from metaverse.events import send_user_event
from metaverse.i18n import Text, render, text
from metaverse.sockets import CloseCode
from moderation.models import (
    OPERATOR,
    REASON_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    Action,
    AuditEntry,
    Ban,
    Report,
    ReportStatus,
)
from moderation.selectors import reports_since
from world.area_edits import area_update
from world.models import Area, Presence, World

log = logging.getLogger(__name__)

REPORTS_PER_HOUR = 10
PURGE_BATCH = 1000


class ModerationError(AppError):
    """An action moderation refuses; `field` names the input at fault, for forms and the REST API."""


def user_label(user: User | None) -> str:
    return OPERATOR if user is None else f"{user.get_username()} (id {user.pk})"


def _audit(*, by: User | None, action: Action, target: User | None = None, reason: str = "", **detail: Any) -> None:
    AuditEntry.objects.create(
        actor=by, actor_label=user_label(by), action=action,
        target=target, target_label=user_label(target) if target is not None else "",
        reason=reason, detail=detail,
    )  # fmt: skip


def _close_sockets_after_commit(user_ids: list[int], *, code: CloseCode, reason: str, message: Text) -> None:
    # `text` is translated by each socket, into its own language; `message` is for older processes.
    event = {
        "type": "moderation.close",
        "code": int(code),
        "reason": reason,
        "message": render(message),
        "text": message,
    }

    def send() -> None:
        for user_id in user_ids:
            send_user_event(user_id, event)

    # robust: the action is stored whatever happens to the channel layer; a failure is logged.
    transaction.on_commit(send, robust=True)


def _clean_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX_LENGTH:
        too_long = gettext("A reason has at most %(limit)d characters.") % {"limit": REASON_MAX_LENGTH}
        raise ModerationError("too_long", too_long, field="reason")
    return reason


# What a moderator is told for each action (`verb`), as whole sentences for translators.
_NOT_YOURSELF = {
    "kick": gettext_lazy("You cannot kick yourself."),
    "ban": gettext_lazy("You cannot ban yourself."),
    "mute": gettext_lazy("You cannot mute yourself."),
    "act on": gettext_lazy("You cannot act on yourself."),
}
_NOT_STAFF = {
    "kick": gettext_lazy("Only a superuser can kick a staff account (%(name)s)."),
    "ban": gettext_lazy("Only a superuser can ban a staff account (%(name)s)."),
    "mute": gettext_lazy("Only a superuser can mute a staff account (%(name)s)."),
    "act on": gettext_lazy("Only a superuser can act on a staff account (%(name)s)."),
}


def target_check(*, user: User, by: User | None, verb: str) -> None:
    """Moderators act on players: not on themselves, and only superusers on staff. `verb`: "kick",
    "ban", "mute" or "act on"."""
    if by is None:
        return
    if user.pk == by.pk:
        raise ModerationError("self", _NOT_YOURSELF[verb], field="user")
    if (user.is_staff or user.is_superuser) and not by.is_superuser:
        raise ModerationError("staff", str(_NOT_STAFF[verb]) % {"name": user.get_username()}, field="user")


def with_superuser_authority(by: User | None) -> bool:
    """Operators at the command line act with a superuser's authority."""
    return by is None or by.is_superuser


def ban_replace_check(*, user: User, by: User | None) -> None:
    """A new ban replaces the user's earlier ones: a moderator may not replace (so shorten, or
    end) one that a superuser or an operator made."""
    if with_superuser_authority(by):
        return
    if Ban.objects.active().filter(user=user, by_superuser=True).exists():
        raise ModerationError(
            "superuser_ban",
            gettext("Only a superuser can replace the ban a superuser or an operator made on %(name)s.")
            % {"name": user.get_username()},
            field="user",
        )


def clean_address(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        not_ip = gettext("'%(address)s' is not an IP address.") % {"address": address[:60]}
        raise ModerationError("invalid", not_ip, field="ip") from None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


# --- kicks and bans -----------------------------------------------------------------------------


def kick_text(reason: str) -> Text:
    """What a kicked player is told (docs/protocol.md, code 4010), translated where it is shown."""
    words = text(gettext_noop("A moderator removed you from the world. You may come back."))
    return words + text(gettext_noop("Reason: %(reason)s"), reason=reason) if reason else words


def kick_message(reason: str) -> str:
    return render(kick_text(reason))


@transaction.atomic
def player_kick(*, user: User, by: User | None, reason: str = "") -> None:
    """Close every socket the user has open, on every server process. They may come back."""
    target_check(user=user, by=by, verb="kick")
    reason = _clean_reason(reason)
    _audit(by=by, action=Action.KICK, target=user, reason=reason)
    _close_sockets_after_commit([user.pk], code=CloseCode.KICKED, reason="kicked", message=kick_text(reason))


@transaction.atomic
def ban_create(
    *, user: User, by: User | None, reason: str = "", duration: timedelta | None = None, ip: str | None = None
) -> Ban:
    """Keep `user` out for `duration` (None: for good), and with `ip` every connection from that
    address too. Replaces the user's earlier bans; closes their open sockets, and those of anyone
    else connected from a banned address."""
    target_check(user=user, by=by, verb="ban")
    reason = _clean_reason(reason)
    if duration is not None and duration <= timedelta(0):
        raise ModerationError("invalid", gettext("A ban lasts some time, or for good."), field="duration")
    address = clean_address(ip) if ip else None
    ban_replace_check(user=user, by=by)
    now = timezone.now()
    replaced = list(Ban.objects.active().select_for_update().filter(user=user).values_list("pk", flat=True))
    Ban.objects.filter(pk__in=replaced).update(lifted_at=now, lifted_by=by)
    superuser = with_superuser_authority(by)
    ban = Ban.objects.create(
        user=user, ip=address, reason=reason, until=now + duration if duration else None, created_by=by, created_at=now,
        by_superuser=superuser,
    )  # fmt: skip
    others: list[int] = []
    if address:
        present = Presence.objects.filter(address=address).exclude(user=user)
        if not superuser:  # staff are exempt from a moderator's address ban (selectors.ban_applying)
            present = present.exclude(user__is_staff=True).exclude(user__is_superuser=True)
        others = sorted(set(present.values_list("user_id", flat=True)))
    _audit(
        by=by, action=Action.BAN, target=user, reason=reason,
        ban=ban.pk, until=ban.until.isoformat() if ban.until else None, ip=address, replaced=replaced,
        also_closed=others,
    )  # fmt: skip
    _close_sockets_after_commit([user.pk], code=CloseCode.BANNED, reason="banned", message=ban.refusal_text())
    if others:
        _close_sockets_after_commit(
            others, code=CloseCode.BANNED, reason="banned", message=ban.refusal_text(by_address=True)
        )
    return ban


@transaction.atomic
def ban_lift(*, ban: Ban, by: User | None, reason: str = "") -> bool:
    """Let the user (and the address) back in. False if the ban was no longer in force. Only a
    superuser (or an operator) lifts a ban that a superuser or an operator made."""
    ban = Ban.objects.select_for_update().select_related("user").get(pk=ban.pk)
    if not ban.is_active:
        return False
    if ban.by_superuser and not with_superuser_authority(by):
        raise ModerationError(
            "superuser_ban", gettext("Only a superuser can lift a ban that a superuser or an operator made.")
        )
    ban.lifted_at = timezone.now()
    ban.lifted_by = by
    ban.save(update_fields=["lifted_at", "lifted_by"])
    _audit(by=by, action=Action.UNBAN, target=ban.user, reason=_clean_reason(reason), ban=ban.pk, ip=ban.ip)
    return True


# --- chat ---------------------------------------------------------------------------------------


@transaction.atomic
def chat_mute(*, user: User, by: User | None, reason: str = "", duration: timedelta | None) -> Mute:
    """No chat from `user` for `duration` (None: until lifted). Their next message is refused
    with `muted`, whichever server process their chat socket is on."""
    target_check(user=user, by=by, verb="mute")
    reason = _clean_reason(reason)
    if duration is not None and duration <= timedelta(0):
        raise ModerationError("invalid", gettext("A mute lasts some time, or until lifted."), field="duration")
    mute = mute_create(user=user, until=timezone.now() + duration if duration else None, reason=reason, by=by)
    _audit(
        by=by, action=Action.MUTE, target=user, reason=reason,
        mute=mute.pk, until=mute.until.isoformat() if mute.until else None,
    )  # fmt: skip
    return mute


@transaction.atomic
def chat_unmute(*, mute: Mute, by: User | None, reason: str = "") -> bool:
    mute = Mute.objects.select_for_update().select_related("user").get(pk=mute.pk)
    if mute.lifted_at is not None or (mute.until is not None and mute.until <= timezone.now()):
        return False
    mute_lift(mute=mute, by=by)
    _audit(by=by, action=Action.UNMUTE, target=mute.user, reason=_clean_reason(reason), mute=mute.pk)
    return True


@transaction.atomic
def message_hide_by_moderator(*, message: Message, by: User | None, reason: str = "") -> bool:
    """Take the message out of history and off every open chat. False if it was hidden already."""
    message = Message.objects.select_for_update(of=("self",)).select_related("sender", "world").get(pk=message.pk)
    if message.hidden_at is not None:
        return False
    reason = _clean_reason(reason)
    message_hide(message=message, moderator=by)
    _audit(
        by=by, action=Action.HIDE_MESSAGE, target=message.sender, reason=reason,
        message=message.pk, world=message.world.slug, scope=message.scope, text=message.text[:200],
    )  # fmt: skip
    return True


@transaction.atomic
def broadcast(*, world: World, text: str, by: User | None) -> Message:
    """A system message to everyone in the world, now and in history."""
    message = message_post_system(world=world, text=text)
    _audit(by=by, action=Action.BROADCAST, world=world.slug, message=message.pk, text=message.text)
    return message


def chat_purge(*, older_than: timedelta, dry_run: bool, by: User | None = None) -> int:
    """Delete chat messages older than `older_than`; how many (would) go. Reports keep the text
    they were filed with."""
    if older_than <= timedelta(0):
        raise ModerationError("invalid", gettext("The age must be more than nothing."), field="older_than")
    cutoff = timezone.now() - older_than
    old = Message.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return old.count()
    deleted = 0
    # In batches, each its own transaction: one huge delete would hold its locks (and, on
    # SQLite, the whole database) for as long as it takes.
    while True:
        with transaction.atomic():
            batch = list(old.order_by().values_list("pk", flat=True)[:PURGE_BATCH])
            if not batch:
                break
            Message.objects.filter(pk__in=batch).delete()
            deleted += len(batch)
    with transaction.atomic():
        _audit(by=by, action=Action.PURGE_CHAT, deleted=deleted, before=cutoff.isoformat(), older_than=str(older_than))
    return deleted


# --- reports ------------------------------------------------------------------------------------


@transaction.atomic
def report_create(*, reporter: User, user_id: int, message_id: int | None = None, reason: str) -> Report:
    """A player reports another player, or one of their messages the reporter can see."""
    User.objects.select_for_update().filter(pk=reporter.pk).first()  # one report at a time per reporter
    if reports_since(reporter_id=reporter.pk, since=timedelta(hours=1)) >= REPORTS_PER_HOUR:
        oldest = Report.objects.filter(reporter=reporter).order_by("-created_at")[REPORTS_PER_HOUR - 1]
        wait = max(1, int((oldest.created_at + timedelta(hours=1) - timezone.now()).total_seconds()) + 1)
        raise ModerationError(
            "rate_limited",
            ngettext(
                "You have sent %(count)d report in the last hour; wait a while.",
                "You have sent %(count)d reports in the last hour; wait a while.",
                REPORTS_PER_HOUR,
            )
            % {"count": REPORTS_PER_HOUR},
            status=429,
            retry_after=wait,
        )
    reason = reason.strip()
    if not reason:
        raise ModerationError("empty", gettext("Say what happened."), field="reason")
    if len(reason) > REPORT_REASON_MAX_LENGTH:
        raise ModerationError(
            "too_long", gettext("At most %(limit)d characters.") % {"limit": REPORT_REASON_MAX_LENGTH}, field="reason"
        )
    if user_id == reporter.pk:
        raise ModerationError("self", gettext("You cannot report yourself."), field="user")
    reported = User.objects.filter(pk=user_id, is_active=True).first()
    if reported is None:
        raise ModerationError("unknown_user", gettext("There is no player %(id)s.") % {"id": user_id}, field="user")
    message = None
    if message_id is not None:
        message = Message.objects.filter(pk=message_id).first()
        if (
            message is None
            or not messages_visible(user_id=reporter.pk, world_id=message.world_id).filter(pk=message_id).exists()
        ):
            raise ModerationError(
                "unknown_message",
                gettext("There is no message %(id)s that you can see.") % {"id": message_id},
                field="message",
            )
        if message.sender_id != reported.pk:
            raise ModerationError(
                "not_their_message",
                gettext("Message %(message)s is not from player %(id)s.") % {"message": message_id, "id": user_id},
                field="message",
            )
    return Report.objects.create(
        reporter=reporter,
        reported=reported,
        message=message,
        message_text=message.text if message else "",
        reason=reason,
    )


@transaction.atomic
def report_resolve(*, report: Report, by: User | None, status: str, note: str = "") -> bool:
    """Close an open report as actioned or dismissed. False if it was not open any more."""
    if status not in (ReportStatus.ACTIONED, ReportStatus.DISMISSED):
        raise ModerationError("invalid", gettext("A report is resolved as actioned or dismissed."), field="status")
    report = Report.objects.select_for_update().select_related("reported").get(pk=report.pk)
    if report.status != ReportStatus.OPEN:
        return False
    note = _clean_reason(note)
    report.status = status
    report.handled_by = by
    report.handled_at = timezone.now()
    report.note = note
    report.save(update_fields=["status", "handled_by", "handled_at", "note"])
    action = Action.REPORT_ACTIONED if status == ReportStatus.ACTIONED else Action.REPORT_DISMISSED
    _audit(by=by, action=action, target=report.reported, reason=note, report=report.pk)
    return True


@transaction.atomic
def area_edit(*, area: Area, by: User | None) -> None:
    """A moderator's edit of what an area does (the admin's Areas): into the map, to every page
    inside at once, and into the audit log with what changed."""
    changed = area_update(area=area, by=by)
    _audit(by=by, action=Action.EDIT_AREA, world=area.world.slug, area=str(area), changed=changed)
