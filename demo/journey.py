"""Demo: the first steps of the journey (intakes, assessment talks, mappings) for the fictional
people in demo.data, told through the same actions staff use. Idempotent: a person who already
has an intake is left alone; the anonymous intakes are recognised by their description.
"""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps

from demo.data import PEOPLE, test_number
from intake import actions as intake_actions
from intake.models import Intake
from mapping import actions as mapping_actions
from organisation.models import LifeArea, Service, Unit
from people.models import Person

SEED = importlib.import_module("organisation.migrations.0003_seed_services_and_life_areas")

# Sources spread roughly as in the review: about a third via psychiatry. The last figure is how
# many days ago the intake came in; each person's later steps (demo.data) follow from it.
HISTORY_SOURCES = {
    ("Elin", "Fiktiv"): ("psychiatry", "phone", 480),
    ("Jonas", "Påhittad"): ("relative", "phone", 430),
    ("Sara", "Exempel"): ("psychiatry", "email", 130),
    ("Ali", "Testsson"): ("municipal", "phone", 300),
    ("Hanna", "Demodotter"): ("psychiatry", "phone", 200),
    ("Oskar", "Låtsas"): ("health_centre", "letter", 190),
    ("Maja", "Provsson"): ("social_insurance", "phone", 250),
    ("Leo", "Fantasi"): ("self", "email", 280),
    ("Nora", "Diktad"): ("psychiatry", "phone", 180),
    ("Viktor", "Uppdiktad"): ("relative", "phone", 600),
    ("Ella", "Skenbar"): ("psychiatry", "email", 420),
    ("Adam", "Påhitt"): ("school", "phone", 380),
    ("Noah", "Skyddad"): ("relative", "phone", 330),
}

ANSWERS_YES = {
    "check_adult": "yes",
    "check_resident": "yes",
    "check_isolated": "yes",
    "check_no_psychosis": "yes",
    "social_anxiety": "yes",
    "psychosis_signs": "no",
    "person_knows": "yes",
    "person_agrees": "yes",
}


def ensure_directory() -> None:
    """Services and life areas come from a data migration; a flushed test database lacks them."""
    if not (Service.objects.exists() and LifeArea.objects.exists()):
        SEED.seed(apps, None)


def load_journey(units: dict[str, Unit], users: dict, today: datetime.date) -> None:
    ensure_directory()
    story = _Journey(units["authority"], users, today)
    for (first, last), (source, channel, days_ago) in HISTORY_SOURCES.items():
        person = _person(first, last)
        if person is not None and not person.intakes.exists():
            story.history(person, source, channel, days_ago)
    for (first, last), tell in STORIES.items():
        person = _person(first, last)
        if person is not None and not person.intakes.exists():
            tell(story, person)
    story.anonymous_intakes()


def _person(first: str, last: str) -> Person | None:
    entry = next((p for p in PEOPLE if (p[0], p[1]) == (first, last)), None)
    if entry is None or entry[3] is None:
        return None
    return Person.objects.filter(
        personal_number=test_number(datetime.date(*entry[2]), entry[3])
    ).first()


class _Journey:
    def __init__(self, unit: Unit, users: dict, today: datetime.date) -> None:
        self.unit, self.users, self.today = unit, users, today
        self.officer = users["officer"]
        self.staff = [users["officer"], users["coordinator"]]

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def intake(self, days_ago: int, source: str, channel: str, person=None, **data) -> Intake:
        fields = {
            "received_on": self.day(days_ago),
            "source": source,
            "channel": channel,
            "person": person,
            "age": _age(person, self.today) if person else data.pop("age", None),
            "residence": "Exempelby",
            **data,
        }
        return intake_actions.create_intake(user=self.officer, unit=self.unit, data=fields)

    def history(self, person: Person, source: str, channel: str, days_ago: int) -> None:
        """An old intake that led to an assessment talk, for people already in support."""
        case = person.cases.order_by("opened_on").first()
        intake = self.intake(
            days_ago,
            source,
            channel,
            person,
            isolation_duration="Flera år",
            description="Har isolerat sig i hemmet sedan gymnasiet.",
            case=case,  # the intake that led to this case, not a new one
            **ANSWERS_YES,
        )
        self.offer_talk(intake, days_ago - 5, "I målgruppen; erbjuds bedömningssamtal.")
        self.talk_offering_mapping(person, intake, days_ago - 20)

    def talk(self, person: Person, intake: Intake, days_ago: int, **data):
        return intake_actions.record_talk(
            user=self.officer,
            person=person,
            intake=intake,
            staff=self.staff,
            data={
                "held_on": self.day(days_ago),
                "place": "premises",
                "companions": "Mamma",
                "notes": "Berättade om sin vardag och om rädslan för att gå ut.",
                "reflection_until": self.day(days_ago - 4),
                **data,
            },
        )

    def mapping(self, person: Person, talk, days_ago: int, sessions: int):
        case = person.cases.order_by("-opened_on").first()
        assert case is not None  # every demo person has a case
        mapping = mapping_actions.start_mapping(
            user=self.officer,
            person=person,
            case=case,
            started_on=self.day(days_ago),
            talk=talk,
        )
        for number in range(sessions):
            mapping_actions.add_session(
                user=self.officer,
                mapping=mapping,
                held_on=self.day(days_ago - 7 * number),
                staff=self.staff,
                notes=f"Kartläggningstillfälle {number + 1}: En vanlig dag och självskattningar.",
            )
        for code, extent, text in (
            ("samhallsgemenskap", 3, "Lämnar sällan lägenheten, har inga aktiviteter utanför."),
            ("relationer", 3, "Har bara kontakt med föräldrarna."),
            ("utbildning-arbete", 4, "Avbröt gymnasiet, ingen sysselsättning."),
            ("hemliv", 1, "Sköter hemmet med visst stöd."),
        ):
            mapping_actions.save_need(
                user=self.officer,
                mapping=mapping,
                life_area=LifeArea.objects.get(code=code),
                extent=extent,
                description=text,
            )
        return mapping

    def offer_talk(self, intake: Intake, closed_days_ago: int, reason: str) -> None:
        intake_actions.close_intake(
            user=self.officer,
            intake=intake,
            outcome="talk_offered",
            reason=reason,
            closed_on=self.day(closed_days_ago),
        )

    def talk_offering_mapping(self, person: Person, intake: Intake, days_ago: int):
        talk = self.talk(person, intake, days_ago)
        intake_actions.conclude_talk(user=self.officer, talk=talk, outcome="offer_mapping")
        return talk

    def anonymous_intakes(self) -> None:
        stories = [
            ("Anmälan via webbformuläret: vill vara anonym", self._web_untriaged),
            ("Granne, cirka 30 år, psykossymtom", self._not_target_group),
            ("Kvinna cirka 25 år; pappan ringde", self._referred_kbt),
            ("Man cirka 40 år; syster ringde", self._declined),
        ]
        for description, tell in stories:
            if not Intake.objects.filter(person_description=description).exists():
                tell(description)

    def _web_untriaged(self, description: str) -> None:
        intake_actions.submit_web_intake(
            unit=self.unit,
            data={
                "source": "relative",
                "notifier_relation": "Förälder",
                "person_description": description,
                "age": 23,
                "residence": "Exempelby",
                "isolation_duration": "Två år",
                "description": "Vår son går inte ut längre och vill inte prata med någon.",
                "received_on": self.today,
            },
        )

    def _not_target_group(self, description: str) -> None:
        intake = self.intake(
            40,
            "municipal",
            "phone",
            person_description=description,
            age=30,
            psychosis_signs="yes",
            check_adult="yes",
            check_resident="yes",
            check_isolated="yes",
            check_no_psychosis="no",
        )
        intake_actions.close_intake(
            user=self.officer,
            intake=intake,
            outcome="not_target_group",
            reason="Tecken på psykos; anmälaren har fått råd att kontakta psykiatrin.",
            closed_on=self.day(38),
        )

    def _referred_kbt(self, description: str) -> None:
        intake = self.intake(
            30, "relative", "phone", person_description=description, age=25, **ANSWERS_YES
        )
        intake_actions.close_intake(
            user=self.officer,
            intake=intake,
            outcome="referred",
            reason="Social ångest utan långvarig isolering; KBT via nätet passar bättre.",
            referred_to=Service.objects.get(name="KBT via nätet"),
            closed_on=self.day(27),
        )

    def _declined(self, description: str) -> None:
        intake = self.intake(25, "relative", "phone", person_description=description, age=40)
        intake_actions.close_intake(
            user=self.officer,
            intake=intake,
            outcome="declined",
            reason="Personen vill inte ha kontakt med socialtjänsten just nu.",
            closed_on=self.day(20),
        )


def _age(person: Person, today: datetime.date) -> int | None:
    if person is None or person.birth_date is None:
        return None
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _mapped_then_applied(story: _Journey, person: Person) -> None:
    """Hugo: intake, talk, completed mapping; his application awaits a decision."""
    intake = story.intake(110, "psychiatry", "phone", person, **ANSWERS_YES)
    story.offer_talk(intake, 105, "I målgruppen.")
    talk = story.talk_offering_mapping(person, intake, 95)
    mapping = story.mapping(person, talk, 80, sessions=3)  # sessions 80, 73 and 66 days ago
    mapping_actions.complete_mapping(
        user=story.officer,
        mapping=mapping,
        needs_account="Stora behov inom samhällsgemenskap, relationer och sysselsättning.",
        recommendation="Stöd för att bryta isolering rekommenderas.",
        ended_on=story.day(60),
    )


def _mapped_other_support(story: _Journey, person: Person) -> None:
    """Liam: mapping showed that other support fits better; his application was rejected."""
    intake = story.intake(150, "relative", "phone", person, **ANSWERS_YES)
    story.offer_talk(intake, 148, "Trolig målgrupp.")
    talk = story.talk_offering_mapping(person, intake, 140)
    mapping = story.mapping(person, talk, 130, sessions=3)  # sessions 130, 123 and 116 days ago
    mapping_actions.complete_mapping(
        user=story.officer,
        mapping=mapping,
        needs_account="Behoven gäller främst struktur i vardagen; isoleringen är kortvarig.",
        recommendation="Boendestöd och Supportteamet bedöms passa bättre.",
        ended_on=story.day(110),
    )


def _talk_in_reflection(story: _Journey, person: Person) -> None:
    """Wilma: the talk was held; both sides are in the reflection period."""
    intake = story.intake(20, "relative", "phone", person, **ANSWERS_YES)
    intake_actions.record_callback(user=story.officer, intake=intake)
    story.offer_talk(intake, 18, "I målgruppen.")
    story.talk(person, intake, 3, reflection_until=story.day(-4))


def _mapping_under_way(story: _Journey, person: Person) -> None:
    """Alice: mapping in progress, two sessions held."""
    intake = story.intake(60, "health_centre", "email", person, **ANSWERS_YES)
    story.offer_talk(intake, 57, "I målgruppen.")
    talk = story.talk_offering_mapping(person, intake, 45)
    story.mapping(person, talk, 30, sessions=2)


def _open_intake(story: _Journey, person: Person) -> None:
    """Tilda: a health centre called; she is to be called back today."""
    story.intake(
        6,
        "health_centre",
        "phone",
        person,
        notifier_name="Vårdcentralen Exempelby",
        isolation_duration="Ungefär ett år",
        social_anxiety="yes",
        check_adult="yes",
        check_resident="yes",
        callback_due=story.today,
        description="Har inte lämnat lägenheten på ett år enligt vårdcentralen.",
    )


STORIES = {
    ("Hugo", "Prövning"): _mapped_then_applied,
    ("Liam", "Exempelsson"): _mapped_other_support,
    ("Wilma", "Övning"): _talk_in_reflection,
    ("Alice", "Låtsasdotter"): _mapping_under_way,
    ("Tilda", "Fiktivsson"): _open_intake,
}
