from django.utils.translation import gettext
from rest_framework import serializers

from players.models import DISPLAY_NAME_MAX_LENGTH, Avatar, Player, Status


class AvatarSerializer(serializers.ModelSerializer[Avatar]):
    url = serializers.CharField(read_only=True)

    class Meta:
        model = Avatar
        fields = ("slug", "name", "url")


class PlayerSerializer(serializers.ModelSerializer[Player]):
    """What `GET /api/players/me/` returns."""

    id = serializers.IntegerField(source="pk", read_only=True)
    avatar = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()
    is_guest = serializers.BooleanField(source="user.is_guest", read_only=True)
    guide_seen = serializers.SerializerMethodField()

    class Meta:
        model = Player
        fields = ("id", "display_name", "avatar", "avatar_url", "status", "is_guest", "guide_seen", "hide_location")

    def get_guide_seen(self, player: Player) -> bool:
        return player.guide_seen_at is not None

    def get_avatar(self, player: Player) -> str | None:
        return player.avatar.slug if player.avatar else None

    def get_avatar_url(self, player: Player) -> str | None:
        return player.avatar.url if player.avatar else None


class PlayerUpdateSerializer(serializers.Serializer[None]):
    """What `PATCH /api/players/me/` accepts; every field optional."""

    display_name = serializers.CharField(max_length=DISPLAY_NAME_MAX_LENGTH, allow_blank=False, trim_whitespace=True)
    avatar = serializers.SlugField(max_length=40)
    status = serializers.ChoiceField(choices=Status.choices)
    guide_seen = serializers.BooleanField()  # true: the first-visit guide was closed for good
    hide_location = serializers.BooleanField()  # true: nobody may locate, walk to or follow them

    def validate_avatar(self, slug: str) -> str:
        if not Avatar.objects.active().filter(slug=slug).exists():
            raise serializers.ValidationError(gettext("There is no avatar %(slug)r.") % {"slug": slug})
        return slug
