#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metaverse.settings")
    if sys.argv[1:2] == ["makemigrations"]:
        # Writing migrations into the source tree is development, and reads models, not secrets:
        # it needs no SECRET_KEY, which DEBUG off requires (DEBUG=0 set explicitly still wins).
        os.environ.setdefault("DEBUG", "1")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading a setting loads and checks them all
    except ImproperlyConfigured as error:
        sys.exit(f"ImproperlyConfigured: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
