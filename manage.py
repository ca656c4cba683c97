#!/usr/bin/env python
"""Django's command-line utility for Brygga."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        # Django would run some commands (help, shell) on broken settings; Brygga runs none.
        sys.exit(f"ImproperlyConfigured: {error}")
    execute_from_command_line(sys.argv)
