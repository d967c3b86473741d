from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from world.models import SavedPosition, World
from world.selectors import worlds_with_online_counts


@admin.register(World)
class WorldAdmin(admin.ModelAdmin[World]):
    list_display = ("name", "slug", "online", "capacity", "guests_allowed", "width", "height", "updated_at")
    list_editable = ("capacity", "guests_allowed")
    search_fields = ("name", "slug")
    fields = (
        "name",
        "slug",
        "description",
        "capacity",
        "guests_allowed",
        "source_name",
        "map_version",
        "width",
        "height",
    )
    readonly_fields = ("slug", "source_name", "map_version", "width", "height")

    def get_queryset(self, request: HttpRequest) -> QuerySet[World]:
        return worlds_with_online_counts()

    @admin.display(description="Online", ordering="online")
    def online(self, world: World) -> int:
        return int(getattr(world, "online", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # worlds come from maps: python manage.py import_map


@admin.register(SavedPosition)
class SavedPositionAdmin(admin.ModelAdmin[SavedPosition]):
    list_display = ("player", "world", "x", "y", "direction", "zone", "updated_at")
    list_filter = ("world",)
    search_fields = ("player__display_name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
