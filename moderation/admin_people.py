"""People in the admin, with what moderators do to them: users, and who is online now (kick,
ban and mute them from either list: moderation/admin_actions.py)."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from moderation.admin_actions import PLAYER_ACTIONS, ModerationPermissions
from world.models import Presence
from world.selectors import presence_with_positions
from world.services import presence_stale_seconds


@admin.register(User)
class UserAdmin(ModerationPermissions, DjangoUserAdmin):
    list_display = ("username", "email", "is_guest", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_guest", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = (*DjangoUserAdmin.search_fields, "player__display_name")
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Metaverse", {"fields": ("is_guest",)}))
    actions = PLAYER_ACTIONS


class FreshPresenceFilter(admin.SimpleListFilter):
    title = "connection"
    parameter_name = "fresh"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Presence]) -> list[tuple[str, str]]:
        return [("stale", "Stale (server gone)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Presence]) -> QuerySet[Presence]:
        cutoff = timezone.now() - timedelta(seconds=presence_stale_seconds())
        if self.value() == "stale":
            return queryset.filter(last_seen__lt=cutoff)
        return queryset.filter(last_seen__gte=cutoff)


@admin.register(Presence)
class PresenceAdmin(ModerationPermissions, admin.ModelAdmin[Presence]):
    """Who is online, per world, as the server processes last reported it; kick, ban and mute
    them from here."""

    list_display = ("user", "world", "zone", "position", "connected_at", "address", "server", "last_seen")
    list_filter = (FreshPresenceFilter, "world")
    search_fields = ("user__username", "user__player__display_name", "address")
    list_select_related = ("user", "world")
    actions = PLAYER_ACTIONS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Presence]:
        return presence_with_positions().select_related("user", "world")

    @admin.display(description="Zone")
    def zone(self, presence: Presence) -> str:
        return getattr(presence, "zone", None) or "—"

    @admin.display(description="Position (tiles)")
    def position(self, presence: Presence) -> str:
        x, y = getattr(presence, "x", None), getattr(presence, "y", None)
        return "—" if x is None or y is None else f"{x:.1f}, {y:.1f}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Presence | None = None) -> bool:
        return False
