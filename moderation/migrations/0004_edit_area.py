"""Moderators edit what a world's areas do (world.Area): the audit log's new action, and the
group's two new permissions (moderation/permissions.py)."""

import importlib

from django.db import migrations, models

group_migration = importlib.import_module("moderation.migrations.0002_moderators_group")


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_ban_by_superuser"),
        ("world", "0004_areas"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("kick", "Kick"),
                    ("ban", "Ban"),
                    ("unban", "Unban"),
                    ("mute", "Mute"),
                    ("unmute", "Unmute"),
                    ("hide_message", "Hide message"),
                    ("report_actioned", "Report actioned"),
                    ("report_dismissed", "Report dismissed"),
                    ("broadcast", "Broadcast"),
                    ("purge_chat", "Purge chat"),
                    ("edit_area", "Edit area"),
                ],
                db_index=True,
                max_length=20,
            ),  # fmt: skip
        ),
        migrations.RunPython(group_migration.create_group, migrations.RunPython.noop),
    ]
