from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_guest", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_guest", "is_staff", "is_superuser", "is_active", "groups")
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Metaverse", {"fields": ("is_guest",)}))
