"""Bans remember the authority they were made with. Existing bans made at the command line (no
creator) or by a superuser get it, as they would have had they been made now."""

from django.db import migrations, models
from django.db.models import Q


def mark_superuser_bans(apps, schema_editor):
    ban = apps.get_model("moderation", "Ban")
    ban.objects.filter(Q(created_by__isnull=True) | Q(created_by__is_superuser=True)).update(by_superuser=True)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_moderators_group"),
    ]

    operations = [
        migrations.AddField(
            model_name="ban",
            name="by_superuser",
            field=models.BooleanField(
                default=False,
                help_text="Only a superuser lifts it; its address ban applies to staff accounts too.",
                verbose_name="made by a superuser or an operator",
            ),
        ),
        migrations.RunPython(mark_superuser_bans, migrations.RunPython.noop),
    ]
