from rest_framework import serializers

from world.models import World


class WorldSerializer(serializers.ModelSerializer[World]):
    online = serializers.IntegerField(read_only=True, allow_null=True)  # null: not shown to this viewer
    map_url = serializers.CharField(read_only=True)

    class Meta:
        model = World
        fields = ("slug", "name", "description", "capacity", "guests_allowed", "width", "height", "map_url", "online")
