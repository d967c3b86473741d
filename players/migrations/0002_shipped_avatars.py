from django.db import migrations


def load(apps, schema_editor):
    from players.catalog import load_shipped_avatars

    load_shipped_avatars(apps.get_model("players", "Avatar"))


class Migration(migrations.Migration):
    dependencies = [("players", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
