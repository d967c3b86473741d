"""A world's areas in the admin: what each does (website, sound, focus, stage, kind), edited by
moderators; an edit reaches the players inside at once and is audited (moderation/services.py)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from moderation.admin_actions import moderator
from moderation.services import area_edit
from world.area_edits import AreaError, area_check
from world.models import Area


class AreaForm(forms.ModelForm[Area]):
    class Meta:
        model = Area
        fields = (
            "name", "kind", "room", "website_url", "website_trigger", "website_width", "website_policy",
            "website_closable", "sound_url", "sound_loop", "sound_volume", "focusable", "focus_margin", "stage_name",
            "stage_role",
        )  # fmt: skip

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the cleaned fields are now on the instance: check the area as a whole
        if not self.errors:
            try:
                area_check(self.instance)
            except AreaError as error:
                self.add_error(error.field, error.message)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin[Area]):
    form = AreaForm
    list_display = ("name", "world", "kind", "website_url", "sound_url", "focusable", "stage", "edited_at")
    list_filter = ("world", "kind", "focusable", "stage_role")
    search_fields = ("name", "website_url", "stage_name")
    readonly_fields = ("world", "layer", "position", "bounds", "edited_at", "edited_by")
    fieldsets = (
        (None, {"fields": ("world", "name", "kind", "room", "bounds", "layer", "position")}),
        (
            "Website beside the map",
            {"fields": ("website_url", "website_trigger", "website_width", "website_policy", "website_closable")},
        ),
        ("Sound", {"fields": ("sound_url", "sound_loop", "sound_volume")}),
        ("Camera", {"fields": ("focusable", "focus_margin")}),
        ("Stage", {"fields": ("stage_name", "stage_role")}),
        ("Last edit", {"fields": ("edited_at", "edited_by")}),
    )

    @admin.display(description="Tiles")
    def bounds(self, area: Area) -> str:
        return f"({area.left}, {area.top}) {area.width}×{area.height}"

    @admin.display(description="Stage")
    def stage(self, area: Area) -> str:
        return f"{area.stage_name} ({area.get_stage_role_display()})" if area.stage_role else ""

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        area_edit(area=obj, by=moderator(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # areas come from maps: python manage.py import_map

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
