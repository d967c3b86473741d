"""The "Moderators" group (moderation/permissions.py says what it holds and why)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from moderation.permissions import MODERATORS, moderators_group_setup


def create_group(apps, schema_editor):
    # Permissions are normally made after the last migration has run; make them now so that
    # the group can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    moderators_group_setup(apps)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MODERATORS).delete()


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
