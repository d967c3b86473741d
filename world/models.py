from django.conf import settings
from django.db import models


class World(models.Model):
    """A place people walk: a Tiled map and who may enter it."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(default=300, help_text="Most players inside at once.")
    guests_allowed = models.BooleanField(default=True)
    map_json = models.JSONField(help_text="The normalised Tiled map (tilesets embedded).")
    map_version = models.CharField(max_length=16, help_text="Content hash; changes on every re-import.")
    source_name = models.CharField(
        max_length=255, blank=True, help_text="File name it was imported from; exits may name it."
    )
    width = models.PositiveIntegerField(help_text="In tiles.")
    height = models.PositiveIntegerField(help_text="In tiles.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def map_url(self) -> str:
        return f"/maps/{self.slug}/{self.map_version}/map.json"


class MapAsset(models.Model):
    """An image a world's map uses, served next to the map so relative paths resolve."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="assets")
    path = models.CharField(max_length=200)
    content = models.BinaryField()
    content_type = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("world", "path"), name="unique_asset_path")]

    def __str__(self) -> str:
        return self.path


class SavedPosition(models.Model):
    """Where a player last stood in a world; they come back there."""

    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="saved_positions")
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    x = models.FloatField()
    y = models.FloatField()
    direction = models.CharField(max_length=5, default="down")
    zone = models.CharField(max_length=100, blank=True, help_text="The zone they stood in.")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=("player", "world"), name="one_saved_position_per_world")]

    def __str__(self) -> str:
        return f"{self.player} in {self.world} at ({self.x:.1f}, {self.y:.1f})"


class Presence(models.Model):
    """Someone connected to a world right now, as the server process they are on last reported.
    Where they stand is their SavedPosition, refreshed at the same time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presences")
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="presences")
    server = models.CharField(max_length=100, help_text="The server process the player is connected to.")
    address = models.GenericIPAddressField(
        null=True, blank=True, unpack_ipv4=True, help_text="Where the world socket connects from (for address bans)."
    )
    connected_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("user", "world"), name="one_presence_per_world")]
        verbose_name_plural = "presence"

    def __str__(self) -> str:
        return f"{self.user} in {self.world}"
