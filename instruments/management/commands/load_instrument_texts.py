"""Load licensed item texts from the rights holder's file, to be shown over the short labels.

The file is JSON: {"code": "kasam-29", "version": "1" (optional: every version),
"items": {"1": "full text of item 1", ...}}, or a list of such objects. Item ids must exist in
the definition; nothing is stored when one does not.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from instruments import actions, definitions


class Command(BaseCommand):
    help = "Load licensed instrument item texts from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        blocks = data if isinstance(data, list) else [data]
        total = 0
        for block in blocks:
            if not isinstance(block, dict) or not isinstance(block.get("items"), dict):
                raise CommandError('Each block needs "code" and an "items" object.')
            code, version = str(block.get("code", "")), str(block.get("version", "") or "")
            try:
                total += actions.load_texts(code=code, version=version, texts=block["items"])
            except (definitions.UnknownDefinition, ValueError) as error:
                raise CommandError(str(error)) from None
        self.stdout.write(f"Loaded {total} item texts.")
