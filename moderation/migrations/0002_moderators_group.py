"""The "Moderators" group, holding only what moderators need: to see players, worlds and who is
online; to ban, mute, kick and hide; to work the report queue; to read the audit log. Never to
change users (so no passwords, staff or superuser flags) nor to delete anything."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    ("accounts", "view_user"),
    ("players", "view_player"),
    ("world", "view_world"),
    ("world", "view_presence"),
    ("world", "view_savedposition"),
    ("moderation", "add_ban"),
    ("moderation", "change_ban"),
    ("moderation", "view_ban"),
    ("moderation", "kick_player"),
    ("moderation", "view_report"),
    ("moderation", "change_report"),
    ("moderation", "view_auditentry"),
    ("chat", "view_message"),
    ("chat", "hide_message"),
    ("chat", "add_mute"),
    ("chat", "change_mute"),
    ("chat", "view_mute"),
]


def create_group(apps, schema_editor):
    # Permissions are normally made after the last migration has run; make them now so that
    # the group can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    wanted = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in PERMISSIONS]
    group.permissions.set(wanted)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("players", "0002_shipped_avatars"),
        ("world", "0003_presence_address"),
        ("chat", "0002_hide_message_permission"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
