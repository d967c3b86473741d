"""What the moderation admin pages share, wherever they are registered (world, accounts, chat,
moderation): actions on the players behind the selected rows (who is online, users, reports),
each asking for a reason on a small confirmation page before it calls a service; the
permissions that show each action; a base for objects that only a service may create.

A ModelAdmin using the actions mixes in `ModerationPermissions`, which says who may see each."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounts.models import User
from metaverse.errors import AppError
from moderation.selectors import address_of
from moderation.services import ModerationError, ban_create, chat_mute, player_kick, user_label


class ServiceFormAdmin(admin.ModelAdmin[Any]):
    """Added through a form that the service saves; shown read-only afterwards."""

    add_fields: tuple[str, ...] = ()
    view_fields: tuple[str, ...] = ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.add_fields if obj is None else self.view_fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            kwargs["form"] = forms.ModelForm  # shown read-only: the add form's own fields do not apply
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.moderator = moderator(request)
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin:
    """Shown, never added, changed or deleted from the admin (what someone said, the audit log)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ModerationPermissions:
    """`@admin.action(permissions=["kick"])` asks `has_kick_permission`, and so on."""

    def has_kick_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("moderation.kick_player")

    def has_ban_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("moderation.add_ban")

    def has_lift_ban_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("moderation.change_ban")

    def has_mute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("chat.add_mute")

    def has_lift_mute_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("chat.change_mute")

    def has_hide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("chat.hide_message")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 70}))

    def __init__(
        self, *args: Any, label: str = "Reason", required: bool = True, help_text: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].required = required
        self.fields["reason"].help_text = help_text


def ask_reason(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    action: str,
    title: str,
    targets: list[str],
    label: str = "Reason",
    required: bool = True,
    help_text: str = "For the audit log.",
) -> str | TemplateResponse:
    """The reason typed on the confirmation page, or that page (to show) until one is given.

    The page posts the same action and the same rows back to the list, as Django's own
    delete confirmation does, plus `apply`."""
    data = request.POST if "apply" in request.POST else None
    form = ReasonForm(data, label=label, required=required, help_text=help_text)
    if form.is_bound and form.is_valid():
        return str(form.cleaned_data["reason"])
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "targets": targets,
        "form": form,
        "action": action,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/moderation/reason.html", context)


def moderator(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def users_of(queryset: QuerySet[Any]) -> list[User]:
    """The people the selected rows are about: the users themselves, or their `user` field."""
    if queryset.model is User:
        return list(queryset.order_by("pk"))
    return list(User.objects.filter(pk__in=queryset.values("user_id")).order_by("pk"))


def report_outcome(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, done: list[str], refused: list[str]
) -> None:
    if done:
        model_admin.message_user(request, "; ".join(done), messages.SUCCESS)
    for refusal in refused:
        model_admin.message_user(request, refusal, messages.ERROR)


def players_action(
    *,
    name: str,
    description: str,
    permission: str,
    past: str,
    act: Callable[[User, User | None, str], object],
    shown: bool = False,
) -> Callable[..., TemplateResponse | None]:
    """An action on the players behind the selected rows, after asking why."""

    @admin.action(description=description, permissions=[permission])
    def action(
        model_admin: admin.ModelAdmin[Model], request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        users = users_of(queryset)
        reason = ask_reason(
            model_admin, request, queryset, action=name, title=description, targets=[user_label(u) for u in users],
            help_text="The players are shown it, and it goes in the audit log." if shown else "For the audit log.",
        )  # fmt: skip
        if isinstance(reason, TemplateResponse):
            return reason
        done, refused = [], []
        for user in users:
            try:
                act(user, moderator(request), reason)
            except AppError as error:
                refused.append(f"{user_label(user)}: {error.message}")
            else:
                done.append(user_label(user))
        if done:
            done = [f"{past}: {', '.join(done)}"]
        report_outcome(model_admin, request, done, refused)
        return None

    action.__name__ = name
    return action


kick_players = players_action(
    name="kick_players", description="Kick selected players", permission="kick", past="Kicked", shown=True,
    act=lambda user, by, reason: player_kick(user=user, by=by, reason=reason),
)  # fmt: skip
ban_players_for_a_day = players_action(
    name="ban_players_for_a_day", description="Ban selected players for a day", permission="ban",
    past="Banned for a day", shown=True,
    act=lambda user, by, reason: ban_create(user=user, by=by, reason=reason, duration=timedelta(days=1)),
)  # fmt: skip


def _ban_with_address(user: User, by: User | None, reason: str) -> None:
    address = address_of(user_id=user.pk)
    if address is None:
        raise ModerationError("no_address", "not connected, so their address is unknown; add a ban with it under Bans.")
    ban_create(user=user, by=by, reason=reason, duration=timedelta(days=1), ip=address)


ban_players_and_addresses_for_a_day = players_action(
    name="ban_players_and_addresses_for_a_day", description="Ban selected players and their addresses for a day",
    permission="ban", past="Banned with their addresses for a day", shown=True, act=_ban_with_address,
)  # fmt: skip
mute_players_for_an_hour = players_action(
    name="mute_players_for_an_hour", description="Mute selected players for an hour", permission="mute",
    past="Muted for an hour",
    act=lambda user, by, reason: chat_mute(user=user, by=by, reason=reason, duration=timedelta(hours=1)),
)  # fmt: skip

PLAYER_ACTIONS = (kick_players, ban_players_for_a_day, ban_players_and_addresses_for_a_day, mute_players_for_an_hour)
