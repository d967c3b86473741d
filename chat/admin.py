"""Minimal moderation: hide messages, see blocks and mutes. The moderation issue builds on this."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from chat.models import Block, Message, Mute
from chat.services import message_hide


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    # `text` is shown through the admin's autoescaping: a message holding HTML stays text.
    list_display = ("created_at", "world", "scope", "sender", "recipient", "zone", "text", "hidden_at")
    list_filter = ("scope", "world", ("hidden_at", admin.EmptyFieldListFilter))
    search_fields = ("text", "sender__username", "sender__player__display_name")
    list_select_related = ("world", "sender", "recipient")
    raw_id_fields = ("sender", "recipient", "hidden_by")
    readonly_fields = ("created_at", "hidden_at", "hidden_by", "client_id")
    exclude = ("audience",)
    date_hierarchy = "created_at"
    actions = ("hide_messages",)

    @admin.action(description="Hide the selected messages (from history and open chats)")
    def hide_messages(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        moderator = request.user if isinstance(request.user, User) else None
        hidden = 0
        for message in queryset.filter(hidden_at__isnull=True):
            message_hide(message=message, moderator=moderator)
            hidden += 1
        self.message_user(request, f"Hid {hidden} message(s).", messages.SUCCESS)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin[Block]):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__username", "blocked__username")
    raw_id_fields = ("blocker", "blocked")


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin[Mute]):
    list_display = ("user", "until", "reason", "created_by", "created_at", "lifted_at")
    search_fields = ("user__username", "reason")
    raw_id_fields = ("user", "created_by", "lifted_by")
    readonly_fields = ("created_by", "created_at", "lifted_at", "lifted_by")

    def save_model(self, request: HttpRequest, obj: Mute, form: object, change: bool) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
