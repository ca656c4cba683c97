"""Personal identity numbers and coordination numbers: each kind of mistake has its own error.

Every number here is in Skatteverket's test series (birth number 980–999).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override
from stdnum import luhn

from demo.data import test_number as make_test_number
from people.identity import (
    COORDINATION,
    PERSONAL,
    format_number,
    parse_identity_number,
    sex_from_number,
)

TODAY = datetime.date(2025, 6, 15)


def ten(yymmdd: str, serial: int, separator: str = "-") -> str:
    """A hand-made 10-digit number with a correct check digit."""
    assert 980 <= serial <= 999
    nine = f"{yymmdd}{serial:03d}"
    return f"{yymmdd}{separator}{serial:03d}{luhn.calc_check_digit(nine)}"


def twelve(yyyymmdd: str, serial: int, separator: str = "-") -> str:
    return f"{yyyymmdd[:2]}{ten(yyyymmdd[2:], serial, separator)}"


def error_code(raw: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_identity_number(raw, today=TODAY)
    return caught.value.code


ELIN = make_test_number(datetime.date(1998, 3, 14), 982)  # 12 digits, no separator


# Bad numbers: one code per kind of mistake


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_nothing_typed_is_reported_as_empty(raw):
    assert error_code(raw) == "empty"


@pytest.mark.parametrize("raw", ["98031A-9829", "abcdefghij", "980314/9829", "ÅÄÖ"])
def test_letters_or_stray_characters_are_reported_as_characters(raw):
    assert error_code(raw) == "characters"


@pytest.mark.parametrize(
    "raw",
    [
        ELIN[2:-1],  # 9 digits
        ELIN[:-1],  # 11 digits
        f"{ELIN[:7]}-{ELIN[8:]}",  # 7 + 4 digits with a hyphen: still 11
        f"{ELIN[:8]}-{ELIN[8:]}5",  # 13 digits
    ],
)
def test_too_few_or_too_many_digits_are_reported_as_length(raw):
    assert error_code(raw) == "length"


@pytest.mark.parametrize(
    "raw",
    [
        ten("801301", 982),  # month 13
        ten("800230", 983),  # 30 February
        ten("800431", 984),  # 31 April
        twelve("19800431", 985),
        ten("230229", 986),  # 29 February in a year that is not a leap year
        ten("800100", 987),  # day 0
    ],
)
def test_a_date_that_does_not_exist_is_reported_as_date(raw):
    assert error_code(raw) == "date"


def test_a_birth_date_after_today_is_reported_as_future():
    assert error_code(twelve("20250616", 990)) == "future"
    assert error_code(twelve("20300101", 991)) == "future"


def test_a_birth_date_today_is_not_in_the_future():
    parsed = parse_identity_number(twelve("20250615", 990), today=TODAY)
    assert parsed.birth_date == TODAY


def test_twelve_digits_with_a_plus_sign_are_reported_as_century():
    assert error_code(twelve("19200101", 992, "+")) == "century"


def test_a_mistyped_last_digit_is_reported_as_checksum():
    wrong = ELIN[:-1] + str((int(ELIN[-1]) + 1) % 10)
    assert error_code(wrong) == "checksum"
    assert error_code(wrong[2:]) == "checksum"


def test_each_error_has_its_own_readable_message():
    with override("en"):
        messages = {}
        for raw in ["", "abc", "12345", ten("801301", 982), twelve("20300101", 991)]:
            with pytest.raises(ValidationError) as caught:
                parse_identity_number(raw, today=TODAY)
            messages[caught.value.code] = caught.value.messages[0]
    assert messages["empty"].startswith("Enter a personal identity number")
    assert "only contain digits" in messages["characters"]
    assert "10 or 12 digits" in messages["length"]
    assert "real date" in messages["date"]
    assert "future" in messages["future"]
    assert len(set(messages.values())) == 5


# Good numbers


@pytest.mark.parametrize(
    "raw",
    [
        f"{ELIN[2:8]}-{ELIN[8:]}",  # YYMMDD-NNNN
        ELIN[2:],  # YYMMDDNNNN
        f"{ELIN[:8]}-{ELIN[8:]}",  # YYYYMMDD-NNNN
        ELIN,  # YYYYMMDDNNNN
        f"  {ELIN[:8]} {ELIN[8:]} ",  # spaces around and inside
    ],
)
def test_every_accepted_format_is_normalised_to_twelve_digits(raw):
    parsed = parse_identity_number(raw, today=TODAY)
    assert parsed.digits == ELIN
    assert parsed.kind == PERSONAL
    assert parsed.birth_date == datetime.date(1998, 3, 14)
    assert parsed.formatted == f"{ELIN[:8]}-{ELIN[8:]}"


def test_a_plus_sign_means_the_person_was_born_a_century_earlier():
    with_hyphen = parse_identity_number(ten("200301", 993), today=TODAY)
    with_plus = parse_identity_number(ten("200301", 993, "+"), today=TODAY)
    assert with_hyphen.birth_date == datetime.date(2020, 3, 1)
    assert with_plus.birth_date == datetime.date(1920, 3, 1)
    assert TODAY.year - with_plus.birth_date.year >= 100
    assert with_plus.digits.startswith("1920")


def test_a_plus_sign_for_someone_turning_100_later_this_year_gives_this_centurys_start():
    # Folkbokföringslagen 18 §: the plus sign is written from the year one turns 100.
    parsed = parse_identity_number(ten("250701", 994, "+"), today=TODAY)
    assert parsed.birth_date == datetime.date(1925, 7, 1)


def test_ten_digits_whose_year_is_after_this_year_are_from_the_previous_century():
    parsed = parse_identity_number(ten("300101", 995), today=TODAY)
    assert parsed.birth_date == datetime.date(1930, 1, 1)
    assert parsed.digits.startswith("1930")


def test_ten_digits_whose_year_is_this_year_or_earlier_are_from_this_century():
    parsed = parse_identity_number(ten("250101", 996), today=TODAY)
    assert parsed.birth_date == datetime.date(2025, 1, 1)


def test_ten_digits_later_this_year_than_today_are_from_the_previous_century():
    parsed = parse_identity_number(ten("250701", 997), today=TODAY)
    assert parsed.birth_date == datetime.date(1925, 7, 1)


def test_the_century_follows_the_day_the_number_is_read():
    raw = ten("300101", 998)
    assert parse_identity_number(raw, today=datetime.date(2031, 1, 1)).birth_date.year == 2030
    assert parse_identity_number(raw, today=datetime.date(2029, 12, 31)).birth_date.year == 1930


def test_29_february_is_accepted_in_a_leap_year():
    parsed = parse_identity_number(ten("000229", 999), today=TODAY)
    assert parsed.birth_date == datetime.date(2000, 2, 29)


def test_coordination_number_is_accepted_and_stored_with_day_plus_sixty():
    parsed = parse_identity_number(ten("800174", 982), today=TODAY)  # born 14 January 1980
    assert parsed.kind == COORDINATION
    assert parsed.birth_date == datetime.date(1980, 1, 14)
    assert parsed.digits[:8] == "19800174"
    assert len(parsed.digits) == 12


def test_coordination_number_with_twelve_digits_keeps_its_day_plus_sixty():
    parsed = parse_identity_number(twelve("19991291", 983), today=TODAY)  # born 31 December
    assert parsed.kind == COORDINATION
    assert parsed.birth_date == datetime.date(1999, 12, 31)
    assert parsed.digits == twelve("19991291", 983).replace("-", "")


def test_coordination_number_with_an_impossible_day_is_reported_as_date():
    assert error_code(ten("800292", 984)) == "date"  # 32 February + 60


def test_coordination_number_with_a_wrong_check_digit_is_reported_as_checksum():
    good = ten("800174", 985, "")
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert error_code(wrong) == "checksum"


def test_the_sex_follows_the_second_to_last_digit():
    assert sex_from_number(make_test_number(datetime.date(1990, 1, 1), 981)) == "M"
    assert sex_from_number(make_test_number(datetime.date(1990, 1, 1), 982)) == "F"


def test_format_number_prints_twelve_digits_with_a_hyphen():
    assert format_number(ELIN) == f"{ELIN[:8]}-{ELIN[8:]}"
    assert format_number("R19800101-ABC123") == "R19800101-ABC123"
