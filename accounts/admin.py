from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User
from moderation.admin_actions import PLAYER_ACTIONS, ModerationPermissions


@admin.register(User)
class UserAdmin(ModerationPermissions, DjangoUserAdmin):
    list_display = ("username", "email", "is_guest", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_guest", "is_staff", "is_superuser", "is_active", "groups")
    search_fields = (*DjangoUserAdmin.search_fields, "player__display_name")
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Metaverse", {"fields": ("is_guest",)}))
    actions = PLAYER_ACTIONS
