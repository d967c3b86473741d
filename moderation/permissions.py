"""The "Moderators" group: only what moderators need. They see players, worlds and who is online;
ban, mute, kick and hide; work the report queue; read the audit log; edit what a world's areas
do. They never change users (so no passwords, staff or superuser flags) and never delete anything."""

from typing import Any

MODERATORS = "Moderators"
MODERATOR_PERMISSIONS = [
    ("accounts", "view_user"),
    ("players", "view_player"),
    ("world", "view_world"),
    ("world", "view_presence"),
    ("world", "view_savedposition"),
    ("world", "view_area"),
    ("world", "change_area"),  # websites, sounds, focus, stages: world/area_edits.py
    ("moderation", "add_ban"),
    ("moderation", "change_ban"),  # to lift bans; the admin edits none in place
    ("moderation", "view_ban"),
    ("moderation", "kick_player"),
    ("moderation", "view_report"),
    ("moderation", "change_report"),  # to mark reports actioned or dismissed
    ("moderation", "view_auditentry"),
    ("chat", "view_message"),
    ("chat", "hide_message"),
    ("chat", "add_mute"),
    ("chat", "change_mute"),  # to lift mutes
    ("chat", "view_mute"),
]


def moderators_group_setup(apps: Any) -> Any:
    """Create the group (or put it back) holding exactly those permissions. `apps` is a
    migration's app registry, or django.apps.apps."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=MODERATORS)
    group.permissions.set(
        [
            permission_model.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in MODERATOR_PERMISSIONS
        ]
    )
    return group
