"""The synthetic dataset: fictitious numbers, the review's proportions, runs that add up."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

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
    # Names as varied as a register's: of 600 people, few share a full name (with 24 first
    # names and 16 surnames, one in 384 did, and a full-name search found 2,600 at a million).
    shared = people.values("first_name", "last_name").annotate(n=Count("id")).order_by("-n")
    assert shared[0]["n"] <= 3
    assert people.values("last_name").distinct().count() >= 100


def test_the_stored_marks_say_what_the_rows_say(db):
    """On PostgreSQL the batches are written with the triggers off (`_fast_session`): the marks
    they keep are written by the generator, and must say the same as the rows."""
    from decisions.models import Application
    from tests.decisions.test_left_in_force import assert_marks_follow_the_cases

    call_command("generate_synthetic", "--people", "300", stdout=io.StringIO())
    decided = Application.objects.filter(decisions__isnull=False).distinct()
    assert decided.exists()
    assert set(Application.objects.filter(decided=True)) == set(decided)
    assert_marks_follow_the_cases()
    closed = Decision.objects.filter(case_ended_on__isnull=False).count()
    assert 0 < closed < Decision.objects.count()
    # Some grants of closed cases still run, and some ran out: only the first keep their day.
    running = Decision.objects.filter(left_running_until__isnull=False).count()
    granted = Decision.objects.filter(case_ended_on__isnull=False, outcome__in=["grant", "partial"])
    assert 0 < running < granted.count()
    # A decision's letter is sent when a delivery of it is recorded (decisions.0014).
    delivered = Decision.objects.filter(deliveries__isnull=False).distinct()
    assert set(Decision.objects.filter(letter_sent=True)) == set(delivered)


def test_nearly_every_letter_has_its_delivery_recorded(db):
    """As in a service whose officers record the letters they send: the officer's list of
    decisions whose letter has not been sent holds a few, not every decision."""
    from decisions.models import LetterDelivery

    call_command("generate_synthetic", "--people", "1000", stdout=io.StringIO())
    decisions = Decision.objects.count()
    unsent = Decision.objects.filter(letter_sent=False).count()
    assert 0 < unsent < decisions * 0.05
    for delivery in LetterDelivery.objects.select_related("decision"):
        assert delivery.decision.decided_on <= delivery.sent_on <= timezone.localdate()
        assert delivery.received_on is None or delivery.received_on >= delivery.sent_on


def test_a_second_run_adds_new_people_after_the_first(db):
    call_command("generate_synthetic", "--people", "50", stdout=io.StringIO())
    call_command("generate_synthetic", "--people", "30", "--seed", "2", stdout=io.StringIO())
    assert Person.objects.filter(municipality=MUNICIPALITY).count() == 80


def test_generated_data_is_shaped_like_a_service_with_years_of_history(db):
    """The seeds' caseloads, managers over large units, and ten years of history whose rows
    carry the days they were written, so that culling, follow-ups and old decisions have rows."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.utils import timezone

    from history.synthetic import generate
    from organisation.models import Membership, Role
    from people.models import Case, StaffPeriod
    from provision.models import FollowUp
    from retention import actions, rules

    generate(1500, seed=3, batch_size=1500, today=TODAY)
    loads = sorted(
        get_user_model()
        .objects.filter(username__startswith="syn-coord-")
        .annotate(
            n=Count(
                "case_links",
                filter=Q(case_links__role="coordinator", case_links__case__status="open"),
            )
        )
        .values_list("n", flat=True)
    )
    # 5–8 open cases each (the last one made may have fewer), one with 15 and one with 50.
    assert loads.count(15) == 1 and loads[-1] == 50
    ordinary = [n for n in loads if n not in (15, 50)]
    assert all(5 <= n <= 8 for n in ordinary[1:]) and ordinary[0] >= 1
    # Their cases beyond the sixth came from a colleague who left (those begun before they left).
    taken_over = StaffPeriod.objects.filter(user__username__startswith="syn-left-")
    assert 30 <= taken_over.count() <= (15 - 6) + (50 - 6)
    everything = Membership.objects.filter(user__username="syn-manager-all", role=Role.MANAGER)
    assert set(everything.values_list("unit__name", flat=True)) == {
        "Syntetisk myndighet",
        "Syntetisk utförare",
    }
    assert Membership.objects.filter(
        user__username="syn-manager-area-1", unit__name="Syntetiskt område 1"
    ).exists()

    people = Person.objects.filter(municipality=MUNICIPALITY)
    oldest = people.order_by("created_at").first()
    assert oldest.created_at.date() < TODAY - datetime.timedelta(days=8 * 365)
    assert people.filter(updated_at__date=timezone.localdate()).count() == 0
    assert Decision.objects.filter(replaces__isnull=False, decided_on__year__lt=2020).exists()
    assert FollowUp.objects.filter(months=12, status="done").exists()
    # The capacity page's follow-up places are kept for the generated closures too (on
    # PostgreSQL the generator writes with the triggers off and rewrites them itself).
    from provision.models import FollowUpPlace

    kept = set(FollowUpPlace.objects.values_list("closure_id", "support_kind_id"))
    consenting = Closure.objects.filter(follow_up_consent=True, case__orders__isnull=False)
    assert kept == set(consenting.values_list("id", "case__orders__support_kind_id")) != set()

    # A case's last entry is the newest entry in the person's record (what culling reads).
    sample = list(people.order_by("pk")[:60])
    for verdict in rules.assess_many(sample, TODAY):
        case = Case.objects.get(person_id=verdict.person_id)
        assert verdict.last_entry_on == timezone.localdate(case.last_entry_at)
    plan = actions.plan_culling(TODAY, remember=False)
    assert sum(v.cull for v in plan) > 100  # records last written over five years ago
