"""Chat in the admin, registered by moderation: messages (read-only; moderators hide them), mutes
(made and lifted through the moderation services, so each lands in the audit log), and blocks."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from chat.models import Block, Message, Mute
from moderation.admin_actions import (
    ModerationPermissions,
    ReadOnlyAdmin,
    ServiceFormAdmin,
    ask_reason,
    moderator,
    report_outcome,
)
from moderation.forms import MuteForm
from moderation.services import chat_mute, chat_unmute, message_hide_by_moderator, user_label


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin, ModerationPermissions, admin.ModelAdmin[Message]):
    """Nobody edits what someone said, nor deletes it from here: moderators hide messages
    (audited), operators purge old ones (python manage.py purge_chat)."""

    # `text` is shown through the admin's autoescaping: a message holding HTML stays text.
    list_display = ("created_at", "world", "scope", "sender", "recipient", "zone", "text", "hidden_at")
    list_filter = ("scope", "world", ("hidden_at", admin.EmptyFieldListFilter))
    search_fields = ("text", "sender__username", "sender__player__display_name")
    list_select_related = ("world", "sender", "recipient")
    fields = ("created_at", "world", "scope", "sender", "recipient", "zone", "text", "hidden_at", "hidden_by")
    date_hierarchy = "created_at"
    actions = ("hide_messages",)

    @admin.action(description="Hide selected messages (from history and open chats)", permissions=["hide"])
    def hide_messages(self, request: HttpRequest, queryset: QuerySet[Message]) -> TemplateResponse | None:
        shown = list(queryset.filter(hidden_at__isnull=True).select_related("sender").order_by("pk"))
        reason = ask_reason(
            self, request, queryset, action="hide_messages", title="Hide selected messages",
            targets=[f"{user_label(m.sender) if m.sender else 'system'}: {m.text[:80]}" for m in shown],
        )  # fmt: skip
        if isinstance(reason, TemplateResponse):
            return reason
        hidden = sum(message_hide_by_moderator(message=m, by=moderator(request), reason=reason) for m in shown)
        report_outcome(self, request, [f"Hid {hidden} message(s)."], [])
        return None


@admin.register(Mute)
class MuteAdmin(ModerationPermissions, ServiceFormAdmin):
    form = MuteForm
    list_display = ("user", "until", "reason", "created_by", "created_at", "lifted_at")
    search_fields = ("user__username", "user__player__display_name", "reason")
    list_select_related = ("user", "created_by")
    raw_id_fields = ("user",)
    add_fields = ("user", "duration", "until", "reason")
    view_fields = ("user", "until", "reason", "created_by", "created_at", "lifted_by", "lifted_at")
    actions = ("lift_mutes",)

    def save_model(self, request: HttpRequest, obj: Mute, form: Any, change: bool) -> None:
        mute = chat_mute(user=obj.user, by=moderator(request), reason=obj.reason, duration=form.length())
        # The admin goes on with `obj` (its log entry, the redirect): make it the mute just made.
        obj.pk, obj.until, obj.created_by, obj.created_at = mute.pk, mute.until, mute.created_by, mute.created_at
        obj._state.adding = False

    @admin.action(description="Lift selected mutes", permissions=["lift_mute"])
    def lift_mutes(self, request: HttpRequest, queryset: QuerySet[Mute]) -> TemplateResponse | None:
        mutes = list(queryset.select_related("user").order_by("user_id", "pk"))
        reason = ask_reason(
            self, request, queryset, action="lift_mutes", title="Lift selected mutes",
            targets=[user_label(mute.user) for mute in mutes], required=False,
        )  # fmt: skip
        if isinstance(reason, TemplateResponse):
            return reason
        lifted = [user_label(m.user) for m in mutes if chat_unmute(mute=m, by=moderator(request), reason=reason)]
        skipped = len(mutes) - len(lifted)
        report_outcome(
            self, request, [f"Lifted the mutes of {', '.join(lifted)}"] if lifted else [],
            [f"{skipped} mute(s) were no longer in force."] if skipped else [],
        )  # fmt: skip
        return None


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin[Block]):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")
