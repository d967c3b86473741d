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


class AreaKind(models.TextChoices):
    PLAIN = "plain", "Plain (a name)"
    MEETING = "meeting", "Meeting room (one call)"
    SILENT = "silent", "Silent (nobody talks)"


class WebsiteTrigger(models.TextChoices):
    ENTER = "enter", "On walking in"
    ACTION = "action", "When asked (Space / tap)"


class StageRole(models.TextChoices):
    NONE = "", "Not a stage"
    SPEAKER = "speaker", "Speaker area"
    LISTENER = "listener", "Audience area"


class Area(models.Model):
    """An area object of a world's map, as moderators see and edit it in the admin. The map holds
    the truth (world/area_edits.py writes an edit back into it); a row is made for each area
    object at import, and an edited one (`edited_at`) survives a re-import only if asked."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="areas")
    layer = models.CharField(max_length=200, help_text="The object layer it is in.")
    position = models.PositiveIntegerField(help_text="Its place among the layer's objects.")
    name = models.CharField(max_length=100, blank=True)
    left = models.PositiveIntegerField(help_text="In tiles.")
    top = models.PositiveIntegerField(help_text="In tiles.")
    width = models.PositiveIntegerField(help_text="In tiles.")
    height = models.PositiveIntegerField(help_text="In tiles.")
    kind = models.CharField(max_length=10, choices=AreaKind.choices, default=AreaKind.PLAIN)
    room = models.CharField(max_length=100, blank=True, help_text="A meeting room's call (jitsiRoom).")
    website_url = models.CharField("website", max_length=500, blank=True, help_text="https://… or a path on this site")
    website_trigger = models.CharField(max_length=10, choices=WebsiteTrigger.choices, default=WebsiteTrigger.ENTER)
    website_width = models.PositiveSmallIntegerField(default=50, help_text="Percent of the screen, 10–90.")
    website_policy = models.CharField(max_length=200, blank=True, help_text="The frame's allow list (camera; …).")
    website_closable = models.BooleanField(default=False, help_text="Stays open after walking out, until closed.")
    sound_url = models.CharField("sound", max_length=500, blank=True)
    sound_loop = models.BooleanField(default=False)
    sound_volume = models.FloatField(default=1.0, help_text="0–1.")
    focusable = models.BooleanField(default=False, help_text="The camera frames the area while you are inside.")
    focus_margin = models.FloatField(default=0.0, help_text="Tiles around the area the camera also shows.")
    stage_name = models.CharField(max_length=100, blank=True, help_text="Speakers and audiences of one stage share it.")
    stage_role = models.CharField(max_length=10, choices=StageRole.choices, blank=True, default=StageRole.NONE)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("world", "layer", "position")
        constraints = [models.UniqueConstraint(fields=("world", "layer", "position"), name="one_area_per_object")]

    def __str__(self) -> str:
        return self.name or f"{self.layer} #{self.position}"
