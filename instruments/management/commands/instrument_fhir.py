"""Export and import instrument definitions as FHIR R5 Questionnaires, and import responses.

    manage.py instrument_fhir export CODE [--version V] [-o FILE] [--definitions-dir DIR]
    manage.py instrument_fhir import FILE [--dry-run] [--definitions-dir DIR]
    manage.py instrument_fhir import-response FILE --person UUID --user USERNAME
        [--occasion OCCASION] [--date YYYY-MM-DD]

`import` writes a new definition version file (definitions/<code>/<version>.json) and never
overwrites one: versions are immutable, so old responses keep their scores. `import-response`
stores a completed response through the same actions as staff entry (access log, score
snapshot, risk alerts). Every refusal names its reason, exits non-zero and writes nothing.
Nothing about a person is printed except the new response's id.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from instruments import actions, definitions, fhir, scoring
from instruments.models import Occasion, RiskAlert
from people.access import Level, access_level
from people.models import Person

CODE_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
VERSION_RE = re.compile(r"[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*")
VERSION_MAX = 20  # Response.version
# A response may be marked amended after completion; anything else is not finished.
IMPORTABLE_RESPONSE_STATUSES = {"completed", "amended"}


# Key order of the shipped files and docs/instruments.md; keys not named keep their order after.
TOP_KEYS = (
    "code", "version", "title", "kind", "higher_is_worse", "recall", "intro", "source",
    "licence", "published", "items", "scoring", "structure",
)  # fmt: skip
ITEM_KEYS = (
    "id", "type", "required", "label", "text", "options", "min", "max", "enable_when",
    "items", "help",
)  # fmt: skip
OPTION_KEYS = ("value", "score", "label", "text")


def _ordered(data: dict, keys: tuple[str, ...]) -> dict:
    return {**{k: data[k] for k in keys if k in data}, **data}


def _ordered_item(item: dict) -> dict:
    out = _ordered(item, ITEM_KEYS)
    if "options" in out:
        out["options"] = [_ordered(o, OPTION_KEYS) for o in out["options"]]
    if "items" in out:
        out["items"] = [_ordered_item(child) for child in out["items"]]
    return out


def serialise(defn: definitions.Definition) -> str:
    """The definition file text: the raw dict definitions.parse reads, keys in the shipped
    files' order (the data, not the hand-made line breaks, is what must be equal)."""
    data = _ordered(defn.raw, TOP_KEYS)
    data["items"] = [_ordered_item(item) for item in data["items"]]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise CommandError(f"Cannot read {path}: not UTF-8 text") from None
    except ValueError as error:
        raise CommandError(f"Cannot read {path}: not valid JSON ({error})") from None


def _versions(folder: Path, code: str) -> list[str]:
    if not CODE_RE.fullmatch(code) or not (folder / code).is_dir():
        raise CommandError(f"Unknown instrument {code!r} in {folder}")
    found = [p.stem for p in (folder / code).glob("*.json")]
    return sorted(found, key=definitions._version_key)


def _load(folder: Path, code: str, version: str | None) -> definitions.Definition:
    found = _versions(folder, code)
    if not found:
        raise CommandError(f"Instrument {code!r} has no versions in {folder}")
    version = found[-1] if version is None else str(version)
    if version not in found:
        raise CommandError(f"{code} has no version {version!r} (versions: {', '.join(found)})")
    path = folder / code / f"{version}.json"
    data = _read_json(path)
    try:
        defn = definitions.parse(data) if isinstance(data, dict) else None
    except ValueError as error:
        raise CommandError(f"{path} is not a valid definition: {error}") from None
    if defn is None or (defn.code, defn.version) != (code, version):
        raise CommandError(f"{path}: code/version inside the file do not match its path")
    return defn


def check_definition(defn: definitions.Definition) -> list[str]:
    """Reasons a parsed definition cannot be used, beyond what definitions.parse checks."""
    problems = []
    if not CODE_RE.fullmatch(defn.code):
        problems.append(
            f"code {defn.code!r} must be 1-40 lower-case letters, digits and hyphens "
            "(it names a folder)"
        )
    if len(defn.version) > VERSION_MAX or not VERSION_RE.fullmatch(defn.version):
        problems.append(
            f"version {defn.version!r} must be letters and digits separated by '.' or '-', "
            f"at most {VERSION_MAX} characters (it names a file)"
        )
    if problems or defn.kind != "scored":
        return problems
    total = defn.scoring["total"]
    lows, highs = [], []
    for item_id in total["items"]:
        item = defn.item(str(item_id))
        if item is None:
            problems.append(f"item {item_id!r} is in the total but not among the items")
            continue
        scores = [o.score for o in item.options]
        numbers = [s for s in scores if isinstance(s, int | float)]
        if not scores or len(numbers) != len(scores):
            problems.append(f"item {item_id!r} is in the total but has options without a score")
            continue
        lows.append(min(numbers))
        highs.append(max(numbers))
    if not problems and (total.get("min"), total.get("max")) != (sum(lows), sum(highs)):
        problems.append(
            f"scoring.total says {total.get('min')}-{total.get('max')}, "
            f"the option scores give {sum(lows)}-{sum(highs)}"
        )
    if not problems:
        # The scoring block must work: score no answers and the highest answers.
        highest: dict[str, object] = {
            item.id: max(item.options, key=lambda o: o.score or 0).value
            for item in defn.answerable_items()
            if item.options
        }
        for answers in ({}, highest):
            try:
                scoring.score(defn, answers, sex=None, age=None)
            except Exception as error:  # noqa: BLE001 - any failure is a reason to refuse
                problems.append(f"the scoring rules fail: {type(error).__name__}: {error}")
                break
    return problems


class Command(BaseCommand):
    help = (
        "Export an instrument definition as a FHIR R5 Questionnaire, import one as a new "
        "definition version, or import a QuestionnaireResponse as a completed rating."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        export = sub.add_parser("export", help="Write the Questionnaire JSON of a definition.")
        export.add_argument("code")
        export.add_argument("--version", dest="defn_version", help="default: the newest")
        export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
        export.add_argument("--definitions-dir", type=Path)

        imp = sub.add_parser("import", help="Write a Questionnaire as a new definition version.")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        imp.add_argument("--definitions-dir", type=Path)

        resp = sub.add_parser(
            "import-response", help="Store a QuestionnaireResponse as a completed rating."
        )
        resp.add_argument("file", type=Path)
        resp.add_argument("--person", required=True, help="the person's id (UUID)")
        resp.add_argument("--user", required=True, help="username of the staff member entering")
        resp.add_argument(
            "--occasion",
            choices=[value for value, _label in Occasion.choices],
            default=Occasion.OTHER,
        )
        resp.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="date of the rating (default: the response's authored date, else today)",
        )

    def handle(self, *args, action: str, **options):
        if action == "export":
            self._export(options)
        elif action == "import":
            self._import(options)
        else:
            self._import_response(options)

    # -- definitions -------------------------------------------------------------------------

    @staticmethod
    def _folder(options) -> Path:
        # Read at call time, so that a test's private copy of the definitions counts.
        return options.get("definitions_dir") or definitions.DEFINITIONS_DIR

    def _export(self, options) -> None:
        defn = _load(self._folder(options), options["code"], options.get("defn_version"))
        try:
            data = fhir.to_questionnaire(defn)
        except ValueError as error:
            raise CommandError(f"{defn.key} cannot be exported: {error}") from None
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        output = options.get("output")
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}") from None
        self.stdout.write(f"Wrote {defn.key} as a FHIR Questionnaire to {output}.")

    def _import(self, options) -> None:
        file: Path = options["file"]
        data = _read_json(file)
        try:
            defn = fhir.from_questionnaire(data)
        except ValueError as error:
            raise CommandError(f"{file} was not imported: {error}") from None
        except (TypeError, AttributeError, KeyError, IndexError) as error:
            # A Brygga extension of the wrong shape (e.g. a list, or scoring as a string).
            raise CommandError(
                f"{file} was not imported: the instrument-definition extension or an item is "
                f"malformed ({type(error).__name__}: {error})"
            ) from None
        problems = check_definition(defn)
        if problems:
            raise CommandError(f"{file} was not imported: {'; '.join(problems)}")
        folder = self._folder(options)
        target = folder / defn.code / f"{defn.version}.json"
        if target.exists():
            raise CommandError(
                f"{defn.key} already exists ({target}) and was not changed: versions are "
                "immutable, so that old responses keep their scores. Give the changed "
                "definition a new version."
            )
        text = serialise(defn)
        if definitions.parse(json.loads(text)) != defn:  # what is written reads back equal
            raise CommandError(f"{file} was not imported: it does not read back equal")
        if options["dry_run"]:
            self.stdout.write(
                f"{defn.key} is valid; would write {target} (dry run: nothing written)."
            )
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("x", encoding="utf-8") as out:  # "x": never overwrite
                out.write(text)
        except FileExistsError:
            raise CommandError(
                f"{defn.key} already exists ({target}) and was not changed."
            ) from None
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error.strerror or error}") from None
        newest = _versions(folder, defn.code)[-1]
        note = "" if newest == defn.version else f" (the newest version stays {newest})"
        self.stdout.write(f"Imported {defn.key} to {target}{note}.")

    # -- responses ---------------------------------------------------------------------------

    def _import_response(self, options) -> None:
        file: Path = options["file"]
        data = _read_json(file)
        if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
            raise CommandError(f"{file} was not imported: not a FHIR QuestionnaireResponse")
        defn = self._response_definition(file, data)
        try:
            answers = fhir.from_response(defn, data)
        except ValueError as error:
            raise CommandError(f"{file} was not imported: {error}") from None
        if data.get("status") not in IMPORTABLE_RESPONSE_STATUSES:
            raise CommandError(
                f"{file} was not imported: only completed responses are imported "
                f"(status is {data.get('status')!r})"
            )
        person = self._person(options["person"])
        user = self._user(options["user"], person)
        subject = ((data.get("subject") or {}).get("reference") or "").strip()
        if subject and not subject.lower().endswith(str(person.pk)):
            raise CommandError(
                f"{file} was not imported: its subject is another person than --person"
            )
        day = options.get("date") or self._authored_day(file, data) or timezone.localdate()
        try:
            with transaction.atomic():
                response = actions.start_response(
                    user=user,
                    person=person,
                    code=defn.code,
                    version=defn.version,
                    occasion=options["occasion"],
                    administered_on=day,
                )
                response = actions.save_answers(
                    user=user, response=response, answers=answers, complete=True, all_required=True
                )
        except ValidationError as error:
            reasons = "; ".join(error.messages)
            raise CommandError(f"{file} was not imported: {reasons}") from None
        alerts = RiskAlert.objects.filter(response=response).count()
        self.stdout.write(f"Imported a completed {defn.key} rating as response {response.pk}.")
        if alerts:
            self.stdout.write(
                f"{alerts} risk alert(s) raised: they are on the assigned staff's start page."
            )

    @staticmethod
    def _response_definition(file: Path, data: dict) -> definitions.Definition:
        canonical = data.get("questionnaire")
        if not isinstance(canonical, str) or not canonical.startswith(fhir.CANONICAL):
            raise CommandError(
                f"{file} was not imported: its questionnaire {canonical!r} is not a Brygga "
                f"instrument ({fhir.CANONICAL}<code>|<version>)"
            )
        code, sep, version = canonical[len(fhir.CANONICAL) :].partition("|")
        if not sep or not version:
            raise CommandError(
                f"{file} was not imported: its questionnaire {canonical!r} names no version, "
                "so it cannot be scored with the right one"
            )
        try:
            return definitions.load(code, version)
        except definitions.UnknownDefinition:
            raise CommandError(
                f"{file} was not imported: no definition {code}/{version} is installed"
            ) from None

    @staticmethod
    def _person(value: str) -> Person:
        try:
            pk = uuid.UUID(value)
        except ValueError:
            raise CommandError("--person must be a person's id (a UUID)") from None
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise CommandError("No person with that id.")
        if person.merged_into_id:
            raise CommandError(
                "That person record was merged into another one; import to the current record."
            )
        return person

    @staticmethod
    def _user(username: str, person: Person):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if access_level(user, person) < Level.WRITE:
            raise CommandError(
                f"{username} may not enter ratings for this person (staff entry needs write "
                "access: the person's case must be theirs or their team's)."
            )
        return user

    @staticmethod
    def _authored_day(file: Path, data: dict) -> datetime.date | None:
        authored = data.get("authored")
        if not authored:
            return None
        try:
            moment = datetime.datetime.fromisoformat(str(authored))
        except ValueError:
            raise CommandError(
                f"{file} was not imported: authored {authored!r} is not a date; give --date"
            ) from None
        if timezone.is_aware(moment):
            return timezone.localdate(moment)
        return moment.date()
