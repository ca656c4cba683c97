"""Swedish personal identity numbers and coordination numbers, via python-stdnum.

Numbers are stored as 12 digits (YYYYMMDDNNNC). A coordination number has 60 added to the day.
Each kind of bad input gets its own Swedish message, so staff know what to correct.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum
from stdnum.se import personnummer

PERSONAL = "personal"
COORDINATION = "coordination"
RESERVE = "reserve"

MESSAGES = {
    "empty": _("Enter a personal identity number or coordination number."),
    "characters": _(
        "The number may only contain digits, and a hyphen or plus sign before the last four digits."
    ),
    "length": _("The number must have 10 or 12 digits (YYMMDD-NNNN or YYYYMMDD-NNNN)."),
    "date": _("The number does not begin with a real date."),
    "future": _("The birth date in the number lies in the future."),
    "century": _("With 12 digits the century is already given: write a hyphen, not a plus sign."),
    "checksum": _("The check digit does not match: check the last digit for a typing error."),
}

# Six or eight digits of birth date, then the four last digits: 11 digits is not a number.
_ALLOWED = re.compile(r"^(?:[0-9]{6}|[0-9]{8})[-+]?[0-9]{4}$")


# What someone types as a personal or coordination number (not a reserve number, which has a
# letter): digits, spaces, a hyphen or a plus sign.
_NUMBER_LIKE = re.compile(r"^[0-9\s+-]+$")


def looks_like_identity_number(text: str) -> bool:
    """Typed as a personal or coordination number: check it with `parse_identity_number` and say
    what is wrong, rather than look for a reserve number that cannot match."""
    return bool(_NUMBER_LIKE.match((text or "").strip()))


def meant_as_whole_number(text: str) -> bool:
    """Typed as a whole number (ten digits or more), not part of one such as a birth date."""
    return looks_like_identity_number(text) and len(re.sub(r"\D", "", text)) >= 10


@dataclass(frozen=True)
class IdentityNumber:
    digits: str  # 12 digits
    kind: str  # PERSONAL or COORDINATION
    birth_date: datetime.date

    @property
    def formatted(self) -> str:
        return format_number(self.digits)


def parse_identity_number(raw: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Validate and normalise; raise ValidationError with a code and a Swedish message."""
    today = today or timezone.localdate()
    text = (raw or "").strip().replace(" ", "")
    if not text:
        raise ValidationError(MESSAGES["empty"], code="empty")
    if not _ALLOWED.match(text):
        digits_only = re.sub(r"[-+]", "", text)
        if digits_only.isdigit() and len(digits_only) not in (10, 12):
            raise ValidationError(MESSAGES["length"], code="length")
        raise ValidationError(MESSAGES["characters"], code="characters")
    compact = personnummer.compact(text)  # YYMMDD-NNNN / YYYYMMDD-NNNN with separator kept
    separator = compact[-5]
    head, serial = compact[:-5], compact[-4:]
    if len(head) == 8 and separator == "+":
        raise ValidationError(MESSAGES["century"], code="century")
    kind = PERSONAL
    day = int(head[-2:])
    if day > 60:
        kind = COORDINATION
        head = head[:-2] + f"{day - 60:02d}"
    birth = _birth_date(head, separator, today)
    if birth > today:
        raise ValidationError(MESSAGES["future"], code="future")
    ten_digits = compact[:-5][-6:] + serial
    try:
        luhn.validate(ten_digits)
    except InvalidChecksum:
        raise ValidationError(MESSAGES["checksum"], code="checksum") from None
    twelve = f"{birth.year:04d}{compact[:-5][-4:]}{serial}"
    return IdentityNumber(digits=twelve, kind=kind, birth_date=birth)


def _birth_date(head: str, separator: str, today: datetime.date) -> datetime.date:
    """The century comes from 12 digits, or from the separator (+ means 100 or older)."""
    try:
        if len(head) == 8:
            return datetime.date(int(head[:4]), int(head[4:6]), int(head[6:8]))
        yy, month, day = int(head[:2]), int(head[2:4]), int(head[4:6])
        datetime.date(2000, month, day)  # month and day exist at all (29 Feb: a leap year)
        year = today.year - (today.year - yy) % 100  # the latest year so far ending in YY
        if separator == "+":
            # Folkbokföringslagen 18 §: the plus sign is written from the year one turns 100.
            year -= 100
        else:
            candidate = _date_or_none(year, month, day)
            if candidate is None or candidate > today:
                year -= 100
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(MESSAGES["date"], code="date") from None


def _date_or_none(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def format_number(digits: str) -> str:
    """YYYYMMDD-NNNN, the form Swedish authorities print."""
    if len(digits) == 12 and digits.isdigit():
        return f"{digits[:8]}-{digits[8:]}"
    return digits


def sex_from_number(digits: str) -> str:
    """Legal sex as registered: odd second-to-last digit is male."""
    return "M" if int(digits[-2]) % 2 else "F"
