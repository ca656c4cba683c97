"""Fill the Swedish catalogue from a JSON file of translations, then compile it.

    python scripts/translate.py TRANSLATIONS.json [...]

Each file maps an English msgid to its Swedish text; a plural entry maps to a list of forms.
The script takes a lock (so several people can run it at once), runs `makemessages` with the
same options as `make messages`, sets the given translations (clearing their fuzzy flag) and
compiles the catalogue. Entries it is not given keep whatever they had.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped,unused-ignore]  # stubs only in some installs

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
PYTHON = sys.executable
MAKEMESSAGES = [
    PYTHON,
    "manage.py",
    "makemessages",
    "-l",
    "sv",
    "--no-obsolete",
    "--no-location",
    "--ignore=.venv",
    "--ignore=tests",
    "--ignore=staticfiles",
]
COMPILEMESSAGES = [PYTHON, "manage.py", "compilemessages", "--ignore=.venv"]


def main(paths: list[str]) -> int:
    translations: dict = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with open(ROOT / "locale" / ".translate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(MAKEMESSAGES, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        catalogue = polib.pofile(str(PO), wrapwidth=79)
        filled, missing = 0, []
        for entry in catalogue:
            if entry.msgid in translations:
                text = translations[entry.msgid]
                if entry.msgid_plural:
                    forms = text if isinstance(text, list) else [text, text]
                    entry.msgstr_plural = dict(enumerate(forms))
                else:
                    entry.msgstr = text if isinstance(text, str) else text[0]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                    entry.previous_msgid = None
                    entry.previous_msgid_plural = None
                filled += 1
            elif not entry.translated():
                missing.append(entry.msgid)
        catalogue.save(str(PO))
        subprocess.run(COMPILEMESSAGES, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for msgid in missing:
        print("  " + json.dumps(msgid, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
