"""Load a form's published texts from the rights holder's file, to be shown over the short labels.

The file is JSON, one object or a list of them:

    {"code": "madrs-s", "version": "2" (optional: every version),
     "source": "the form the texts were taken from: publisher, title, version/year" (required),
     "intro": "the form's instructions" (optional),
     "demo": false (optional: true only for the demo's own wording),
     "items": {"1": "the item's text",
               "2": {"text": "the item's text", "options": {"0": "the answer's description"}}}}

A form is shown to a person (home link) only when every item and every described answer
option has its text (instruments.actions.wording_for). Item ids and option values must exist
in the definition; nothing is stored when one does not.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from instruments import actions


class Command(BaseCommand):
    help = "Load an instrument's published texts (items, answer options, instructions) from JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        try:
            total, incomplete = actions.load_text_file(data)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Loaded {total} texts.")
        for line in incomplete:
            self.stdout.write(line)
