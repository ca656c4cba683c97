"""The synthetic dataset: fictitious numbers, the review's proportions, runs that add up."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.db.models import Count

from decisions.models import Decision
from history.synthetic import MUNICIPALITY, fictitious_number
from intake.models import Intake
from people.identity import parse_identity_number
from people.models import Person
from provision.models import Closure, Order

TODAY = datetime.date(2026, 6, 30)


def test_numbers_are_in_skatteverkets_test_series_and_never_repeat():
    first, days = datetime.date(1961, 1, 1), 100
    numbers = [fictitious_number(i, first, days) for i in range(0, 4000, 7)]
    assert len({n for n, _ in numbers}) == len(numbers)
    for number, kind in numbers:
        if kind == "reserve":
            assert number.startswith("SYN-")
            continue
        parsed = parse_identity_number(number)  # a valid check digit
        assert parsed.kind == kind
        assert 980 <= int(number[8:11]) <= 999  # the test series


def test_generate_makes_people_with_the_reviews_proportions(db):
    out = io.StringIO()
    call_command("generate_synthetic", "--people", "600", "--batch-size", "250", stdout=out)
    assert "600/600 people" in out.getvalue()
    people = Person.objects.filter(municipality=MUNICIPALITY)
    assert people.count() == 600
    sources = dict(Intake.objects.values_list("source").annotate(n=Count("id")))
    assert 0.25 <= sources["psychiatry"] / 600 <= 0.42  # about a third via psychiatry
    granted = Decision.objects.filter(outcome__in=["grant", "partial"], kind="new").count()
    assert 0.25 <= granted / 600 <= 0.45
    # About half of the people with a decision got more than one (renewals).
    per_person = Decision.objects.values("person").annotate(n=Count("id"))
    several = sum(1 for row in per_person if row["n"] > 1) / len(per_person)
    assert 0.3 <= several <= 0.7
    assert Closure.objects.exists()
    assert Order.objects.filter(status="accepted").exists()
    # A renewal's order takes over from the first: never two orders in force for one person.
    in_force = Order.objects.exclude(status="ended").values("person").annotate(n=Count("id"))
    assert max(row["n"] for row in in_force) == 1
    assert Order.objects.filter(replaces__isnull=False).exists()


def test_a_second_run_adds_new_people_after_the_first(db):
    call_command("generate_synthetic", "--people", "50", stdout=io.StringIO())
    call_command("generate_synthetic", "--people", "30", "--seed", "2", stdout=io.StringIO())
    assert Person.objects.filter(municipality=MUNICIPALITY).count() == 80
