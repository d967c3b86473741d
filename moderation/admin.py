"""Bans, the report queue and the audit log. Nothing here is edited in place: every change goes
through a service, which writes the audit entry and reaches open sockets."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from metaverse.errors import AppError
from moderation.admin_actions import (
    ModerationPermissions,
    ReadOnlyAdmin,
    ServiceFormAdmin,
    ask_reason,
    moderator,
    report_outcome,
)
from moderation.forms import BanForm
from moderation.models import AuditEntry, Ban, Report, ReportStatus
from moderation.services import (
    ModerationError,
    ban_create,
    ban_lift,
    chat_mute,
    message_hide_by_moderator,
    player_kick,
    report_resolve,
    user_label,
)


class ActiveBanFilter(admin.SimpleListFilter):
    title = "in force"
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Ban]) -> list[tuple[str, str]]:
        return [("yes", "In force"), ("no", "Ended or lifted")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ban]) -> QuerySet[Ban]:
        active = Ban.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Ban)
class BanAdmin(ModerationPermissions, ServiceFormAdmin):
    form = BanForm
    list_display = ("user", "reason", "term", "active", "ip", "created_by", "created_at", "lifted_at")
    list_filter = (ActiveBanFilter, "created_at")
    search_fields = ("user__username", "user__email", "user__player__display_name", "ip", "reason")
    list_select_related = ("user", "created_by")
    raw_id_fields = ("user",)
    add_fields = ("user", "duration", "until", "reason", "ip")
    view_fields = (
        "user", "reason", "term", "active", "ip", "created_by", "by_superuser", "created_at", "lifted_by", "lifted_at",
    )  # fmt: skip
    actions = ("lift_bans",)

    @admin.display(description="Until")
    def term(self, ban: Ban) -> str:
        return ban.term()

    @admin.display(description="In force", boolean=True)
    def active(self, ban: Ban) -> bool:
        return ban.is_active

    def save_model(self, request: HttpRequest, obj: Ban, form: Any, change: bool) -> None:
        ban = ban_create(
            user=obj.user, by=moderator(request), reason=obj.reason, duration=form.length(), ip=obj.ip or None
        )
        # The admin goes on with `obj` (its log entry, the redirect): make it the ban just made.
        obj.pk, obj.until, obj.created_by, obj.created_at = ban.pk, ban.until, ban.created_by, ban.created_at
        obj._state.adding = False

    @admin.action(description="Lift selected bans", permissions=["lift_ban"])
    def lift_bans(self, request: HttpRequest, queryset: QuerySet[Ban]) -> TemplateResponse | None:
        bans = list(queryset.select_related("user").order_by("user_id", "pk"))
        reason = ask_reason(
            self, request, queryset, action="lift_bans", title="Lift selected bans",
            targets=[f"{user_label(ban.user)}, {ban.term()}" for ban in bans], required=False,
        )  # fmt: skip
        if isinstance(reason, TemplateResponse):
            return reason
        lifted, refused, skipped = [], [], 0
        for ban in bans:
            try:
                if ban_lift(ban=ban, by=moderator(request), reason=reason):
                    lifted.append(user_label(ban.user))
                else:
                    skipped += 1
            except AppError as error:
                refused.append(f"{user_label(ban.user)}: {error.message}")
        done = [f"Lifted the bans of {', '.join(lifted)}"] if lifted else []
        refused += [f"{skipped} ban(s) were no longer in force."] if skipped else []
        report_outcome(self, request, done, refused)
        return None


class ReportStatusFilter(admin.SimpleListFilter):
    """Open reports unless asked otherwise: the queue is what needs doing."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Report]) -> list[tuple[str, str]]:
        return [*ReportStatus.choices, ("all", "All")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Report]) -> QuerySet[Report]:
        value = self.value() or ReportStatus.OPEN
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist: Any) -> Any:
        current = self.value() or ReportStatus.OPEN
        for value, title in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }


def _quick(
    name: str, description: str, permission: str, note: str, act: Callable[[Report, Any, str], object]
) -> Callable[..., None]:
    """Act on the reported player (or message) of each selected report, then mark it actioned.
    The reason recorded is the report's own."""

    @admin.action(description=description, permissions=[permission])
    def action(model_admin: "ReportAdmin", request: HttpRequest, queryset: QuerySet[Report]) -> None:
        done, refused = [], []
        for report in queryset.select_related("reported", "message").order_by("pk"):
            try:
                act(report, moderator(request), f"Report #{report.pk}: {report.reason}"[:500])
            except AppError as error:
                refused.append(f"Report #{report.pk}: {error.message}")
                continue
            report_resolve(report=report, by=moderator(request), status=ReportStatus.ACTIONED, note=note)
            done.append(f"#{report.pk}")
        report_outcome(model_admin, request, [f"{note}: reports {', '.join(done)}"] if done else [], refused)

    action.__name__ = name
    return action


def _hide_reported(report: Report, by: Any, reason: str) -> None:
    if report.message is None:
        raise ModerationError("no_message", "it is about a player, not a message.")
    message_hide_by_moderator(message=report.message, by=by, reason=reason)


@admin.register(Report)
class ReportAdmin(ModerationPermissions, admin.ModelAdmin[Report]):
    list_display = ("id", "created_at", "status", "reporter", "reported", "reported_text", "reason", "handled_by")
    list_display_links = ("id", "created_at")
    list_filter = (ReportStatusFilter, "created_at")
    search_fields = ("reported__username", "reporter__username", "reason", "message_text")
    list_select_related = ("reporter", "reported", "handled_by")
    fields = (
        "status", "reporter", "reported", "message", "message_text", "reason", "created_at",
        "handled_by", "handled_at", "note",
    )  # fmt: skip
    actions = (
        "mark_actioned",
        "dismiss",
        _quick("kick_reported", "Kick reported player", "kick", "Kicked",
               lambda r, by, why: player_kick(user=r.reported, by=by, reason=why)),
        _quick("ban_reported_for_a_day", "Ban reported player for a day", "ban", "Banned for a day",
               lambda r, by, why: ban_create(user=r.reported, by=by, reason=why, duration=timedelta(days=1))),
        _quick("mute_reported_for_an_hour", "Mute reported player for an hour", "mute", "Muted for an hour",
               lambda r, by, why: chat_mute(user=r.reported, by=by, reason=why, duration=timedelta(hours=1))),
        _quick("hide_reported_message", "Hide reported message", "hide", "Message hidden", _hide_reported),
    )  # fmt: skip

    @admin.display(description="Message")
    def reported_text(self, report: Report) -> str:
        text = report.message_text
        return text if len(text) <= 80 else text[:79] + "…"

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("moderation.change_report")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # players report from the page: POST /api/reports/

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    def _resolve(
        self, request: HttpRequest, queryset: QuerySet[Report], *, status: str, action: str, title: str
    ) -> Any:
        reports = list(queryset.select_related("reported").order_by("pk"))
        note = ask_reason(
            self, request, queryset, action=action, title=title, label="Note", required=False,
            targets=[f"Report #{r.pk} on {user_label(r.reported)}: {r.reason[:80]}" for r in reports],
        )  # fmt: skip
        if isinstance(note, TemplateResponse):
            return note
        done = [
            f"#{r.pk}" for r in reports if report_resolve(report=r, by=moderator(request), status=status, note=note)
        ]
        skipped = len(reports) - len(done)
        report_outcome(
            self, request, [f"{title}: reports {', '.join(done)}"] if done else [],
            [f"{skipped} report(s) had been handled already."] if skipped else [],
        )  # fmt: skip
        return None

    @admin.action(description="Mark actioned", permissions=["resolve"])
    def mark_actioned(self, request: HttpRequest, queryset: QuerySet[Report]) -> Any:
        return self._resolve(
            request, queryset, status=ReportStatus.ACTIONED, action="mark_actioned", title="Mark actioned"
        )

    @admin.action(description="Dismiss", permissions=["resolve"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Report]) -> Any:
        return self._resolve(request, queryset, status=ReportStatus.DISMISSED, action="dismiss", title="Dismiss")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin[AuditEntry]):
    """Read-only for everyone, superusers included: the log is only ever written by the services."""

    list_display = ("created_at", "actor_label", "action", "target_label", "reason", "detail")
    list_filter = ("action", "created_at")
    search_fields = ("actor_label", "target_label", "reason")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "actor_label", "action", "target", "target_label", "reason", "detail")


# The other apps' models, in the admin with moderation's actions: registered here, on top, so that
# no app below imports moderation.
from moderation import admin_areas, admin_chat, admin_people  # noqa: E402, F401
