import io

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from PIL import Image, UnidentifiedImageError

from metaverse.errors import AppError
from players.models import Avatar, Player
from players.services import clean_display_name, is_staff_account

SHEET_SIZE = (Avatar.FRAME_SIZE * Avatar.COLUMNS, Avatar.FRAME_SIZE * Avatar.ROWS)


class AvatarForm(forms.ModelForm[Avatar]):
    upload = forms.FileField(
        required=False,
        help_text=f"PNG sprite sheet, {SHEET_SIZE[0]}×{SHEET_SIZE[1]} px: 3 walking frames × 4 directions "
        "(rows: down, left, right, up).",
    )

    class Meta:
        model = Avatar
        fields = ("slug", "name", "position", "is_active")

    def clean_upload(self) -> bytes | None:
        upload = self.cleaned_data.get("upload")
        if upload is None:
            if not self.instance.pk:
                raise ValidationError("A new avatar needs a sprite sheet.")
            return None
        data = upload.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            raise ValidationError("The sprite sheet is larger than 2 MiB.")
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != "PNG":
                    raise ValidationError("The sprite sheet must be a PNG.")
                if image.size != SHEET_SIZE:
                    width, height = image.size
                    raise ValidationError(f"The sprite sheet is {width}×{height}, not {SHEET_SIZE[0]}×{SHEET_SIZE[1]}.")
        except UnidentifiedImageError:
            raise ValidationError("That file is not an image.") from None
        return data

    def save(self, commit: bool = True) -> Avatar:
        avatar = super().save(commit=False)
        if self.cleaned_data.get("upload"):
            avatar.sprite = self.cleaned_data["upload"]
        if commit:
            avatar.save()
        return avatar


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin[Avatar]):
    form = AvatarForm
    list_display = ("preview", "name", "slug", "position", "is_active")
    list_editable = ("position", "is_active")
    list_display_links = ("name",)
    readonly_fields = ("preview",)

    @admin.display(description="Look")
    def preview(self, avatar: Avatar) -> str:
        return format_html(
            '<span style="display:inline-block;width:32px;height:32px;background:url({}) 0 0;'
            'image-rendering:pixelated;transform:scale(1.5)"></span>',
            avatar.url,
        )


class PlayerForm(forms.ModelForm[Player]):
    """The same rule as everywhere else a name is set: a reserved name only for a staff account."""

    class Meta:
        model = Player
        fields = ("user", "display_name", "avatar", "status")

    def clean_display_name(self) -> str:
        user = self.cleaned_data.get("user") or getattr(self.instance, "user", None)
        try:
            return clean_display_name(
                self.cleaned_data["display_name"], staff=user is not None and is_staff_account(user)
            )
        except AppError as error:
            raise ValidationError(error.message) from error


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin[Player]):
    form = PlayerForm
    list_display = ("display_name", "user", "avatar", "status", "updated_at")
    list_filter = ("status", "user__is_guest")
    search_fields = ("display_name", "user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
