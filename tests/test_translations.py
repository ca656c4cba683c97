"""The Swedish catalogue: complete, compiled, current, and what the pages actually show.

The interface speaks Swedish by default (LANGUAGE_CODE = "sv") and English on request. The msgids
are English, so a string that is missing from the catalogue, or a catalogue that was not compiled,
shows up as English text on a Swedish page.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from people.identity import MESSAGES as IDENTITY_MESSAGES

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"
# The same options as `make messages`.
MAKEMESSAGES_IGNORE = [".venv", "tests", "staticfiles"]

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
_PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]")


# A small PO parser: the standard library has none, and the project takes no new dependency.


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: flags, msgctxt, msgid, msgid_plural, msgstr ({index: text})."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple[str, int | None] | None = None

    def finish():
        if entry is not None and "msgid" in entry and not entry["obsolete"]:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
            entry["obsolete"] = False
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            keyword, index, literal = match.groups()
            text = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                entry["msgstr"][field[1]] = text
            else:
                field = (keyword, None)
                entry[keyword] = text
        elif line.startswith('"') and field is not None:
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] += text
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def key(entry: dict) -> tuple:
    return (entry["msgctxt"], entry["msgid"], entry["msgid_plural"])


def describe(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if entry["msgctxt"] else ""
    return context + entry["msgid"]


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return parse_po(PO)


@pytest.fixture(scope="module")
def messages(catalogue) -> list[dict]:
    """Every entry but the header."""
    return [entry for entry in catalogue if entry["msgid"] != ""]


# (a) Complete: every entry translated, nothing fuzzy, placeholders kept


def test_the_catalogue_is_swedish_with_two_plural_forms(catalogue):
    header = catalogue[0]
    assert header["msgid"] == ""
    assert "Language: sv\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(catalogue) > 500


def test_every_entry_is_translated(messages):
    untranslated = [
        describe(entry)
        for entry in messages
        if not entry["msgstr"]
        or any(not text.strip() for text in entry["msgstr"].values())
        or (entry["msgid_plural"] is not None and set(entry["msgstr"]) != {0, 1})
    ]
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"


def test_no_entry_is_fuzzy(catalogue):
    fuzzy = [describe(entry) or "(header)" for entry in catalogue if "fuzzy" in entry["flags"]]
    assert fuzzy == [], f"fuzzy entries must be checked and unflagged: {fuzzy[:20]}"


def test_translations_keep_every_placeholder(messages):
    broken = []
    for entry in messages:
        sources = [entry["msgid"]] if entry["msgid_plural"] is None else []
        if entry["msgid_plural"] is not None:
            sources = [entry["msgid"], entry["msgid_plural"]]
        for index, source in enumerate(sources):
            translated = entry["msgstr"].get(index, "")
            if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(translated)):
                broken.append((source, translated))
    assert broken == []


def test_legal_references_are_kept_as_written(messages):
    for entry in messages:
        for reference in re.findall(r"FL \d+ §", entry["msgid"]):
            assert reference in entry["msgstr"][0], describe(entry)


# (b) Compiled: the .mo holds exactly what the .po says


def _catalog_without_dates(translations: gettext.GNUTranslations) -> tuple[dict, dict]:
    info = {
        name: value
        for name, value in translations.info().items()
        if name not in ("pot-creation-date", "po-revision-date")
    }
    return {k: v for k, v in translations._catalog.items() if k != ""}, info


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    assert MO.exists(), "locale/sv/LC_MESSAGES/django.mo is missing: run compilemessages"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip(
            "GNU gettext's msgfmt is not installed, so the .po cannot be compiled to compare"
        )
    fresh = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - a fixed program and our own files
        [msgfmt, "--check-format", "-o", str(fresh), str(PO)], check=True, capture_output=True
    )
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        expected = _catalog_without_dates(gettext.GNUTranslations(compiled))
        actual = _catalog_without_dates(gettext.GNUTranslations(committed))
    assert actual == expected, "django.mo is older than django.po: run compilemessages"


# (c) Current: makemessages would find nothing new


def test_makemessages_would_add_no_new_msgid(tmp_path, settings, monkeypatch):
    """Extract the msgids from a copy of the sources, so nothing is written into the tree."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's xgettext is not installed, so makemessages cannot run")
    copy = tmp_path / "src"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            ".*",
            "locale",
            "static",
            "staticfiles",
            "media",
            "__pycache__",
            "*.sqlite3*",
            *MAKEMESSAGES_IGNORE,
        ),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["sv"],
        ignore_patterns=MAKEMESSAGES_IGNORE,
        no_location=True,
        no_obsolete=True,
        verbosity=0,
    )
    extracted = {key(entry) for entry in parse_po(copy / "locale/sv/LC_MESSAGES/django.po")}
    known = {key(entry) for entry in parse_po(PO)}
    missing = sorted((extracted - known), key=lambda k: (k[1], k[0] or ""))
    assert missing == [], (
        f"{len(missing)} strings are marked for translation but not in the Swedish catalogue; "
        f"run `make messages` and translate them: {[m[1] for m in missing[:20]]}"
    )


# What the pages show


def visible_text(body: str) -> set[str]:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    # The language menu names each language in itself: "English" is right on a Swedish page.
    body = re.sub(r'<select id="language-select".*?</select>', " ", body, flags=re.S)
    chunks = re.split(r"<[^>]+>", body)
    chunks += re.findall(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"', body)
    return {html.unescape(chunk).strip() for chunk in chunks if chunk.strip()}


@pytest.fixture(scope="module")
def english_only(messages) -> set[str]:
    """English msgids that read differently in Swedish, and are no Swedish text themselves."""
    swedish = {text for entry in messages for text in entry["msgstr"].values()}
    return {
        entry["msgid"]
        for entry in messages
        if entry["msgid_plural"] is None
        and entry["msgstr"].get(0) != entry["msgid"]
        and entry["msgid"] not in swedish
        and "%" not in entry["msgid"]
    }


def assert_swedish(response, english_only):
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="sv">' in body
    leftovers = sorted(visible_text(body) & english_only)
    assert leftovers == [], f"English on a Swedish page: {leftovers}"
    assert "Hoppa till innehållet" in body
    assert "Tillgänglighetsredogörelse" in body
    for english in ("Skip to content", "Accessibility statement", "Log out", "People"):
        assert english not in body
    return body


@pytest.mark.parametrize("path", ["/", "/personer/", "person"])
def test_staff_pages_are_swedish_by_default(login, officer, person, english_only, path):
    url = f"/personer/{person.pk}/" if path == "person" else path
    body = assert_swedish(login(officer).get(url), english_only)
    assert "Logga ut" in body
    assert "Personer" in body
    assert "Inloggad som" in body


def test_person_page_speaks_the_authority_vocabulary(login, officer, person, english_only):
    body = assert_swedish(login(officer).get(f"/personer/{person.pk}/"), english_only)
    for word in ("Personuppgifter", "Ärenden", "Nätverk", "Myndighetsenhet", "Handlingar"):
        assert word in body


@pytest.mark.parametrize("path", ["/accounts/login/", "/tillganglighet/", "/anmalan/"])
def test_public_pages_are_swedish_by_default(client, org, english_only, path):
    body = assert_swedish(client.get(path), english_only)
    if path == "/accounts/login/":
        assert "Logga in" in body
        assert "Användarnamn" in body and "Lösenord" in body
    if path == "/tillganglighet/":
        assert "Tillgänglighetsredogörelse för Brygga" in body
    if path == "/anmalan/":
        assert "ring 112" in body


def test_identity_number_errors_are_swedish():
    with translation.override("en"):
        english = {code: str(message) for code, message in IDENTITY_MESSAGES.items()}
    with translation.override("sv"):
        swedish = {code: str(message) for code, message in IDENTITY_MESSAGES.items()}
    for code in IDENTITY_MESSAGES:
        assert swedish[code] != english[code], code
    assert "personnummer" in swedish["empty"]
    assert "Kontrollsiffran" in swedish["checksum"]
    assert len(set(swedish.values())) == len(IDENTITY_MESSAGES)


# (d) English on request


def test_switching_to_english_and_back(login, officer):
    client = login(officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/personer/"})
    assert response.status_code == 302
    body = client.get("/personer/").content.decode()
    assert '<html lang="en">' in body
    for english in ("People", "Log out", "Accessibility statement", "Skip to content"):
        assert english in body
    for swedish in ("Personer", "Logga ut", "Tillgänglighetsredogörelse"):
        assert swedish not in body

    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    body = client.get("/personer/").content.decode()
    assert "Logga ut" in body and "Log out" not in body


def test_swedish_is_the_default_whatever_the_browser_asks_for(client):
    """A browser set to English still gets Swedish until the user picks English."""
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Logga in" in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="sv-SE")
    assert "Log in" in response.content.decode()
