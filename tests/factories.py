"""factory_boy factories. Personal numbers use Skatteverket's test series (birth number 980–999)."""

from __future__ import annotations

import datetime
import hashlib
import itertools

import factory
from django.contrib.auth import get_user_model

from decisions.models import Application, Decision
from demo.data import test_number
from documents.models import Attachment, AttachmentKind
from mapping.models import Mapping
from organisation.models import Delegation, Membership, Role, SupportKind, Unit, UnitKind
from people.models import (
    Case,
    CaseStaff,
    CaseStaffRole,
    Contact,
    ContactKind,
    Person,
    StaffPeriod,
)
from provision.models import Order


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = UnitKind.AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Användare{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[(unit, Role.OFFICER), ...])"""
        self.save()
        for unit, role in extracted or []:
            Membership.objects.create(user=self, unit=unit, role=role)


def _number(n: int) -> str:
    birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=n)
    return test_number(birth, 980 + n % 20)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    personal_number = factory.Sequence(_number)
    number_kind = "personal"
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(
            int(o.personal_number[:4]), int(o.personal_number[4:6]), int(o.personal_number[6:8])
        )
    )
    first_name = factory.Sequence(lambda n: f"Förnamn{n}")
    last_name = factory.Sequence(lambda n: f"Efternamn{n}")
    sex = "F"
    municipality = "Exempelby"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    authority_unit = factory.SubFactory(UnitFactory)
    opened_on = factory.LazyFunction(datetime.date.today)


class CaseStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseStaff
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    user = factory.SubFactory(UserFactory)
    role = CaseStaffRole.COORDINATOR

    @factory.post_generation
    def period(obj, create, extracted, **kwargs):
        """Named since the case opened, as `people.staffing.name` records it."""
        if create:
            StaffPeriod.objects.create(
                case=obj.case, user=obj.user, role=obj.role, valid_from=obj.case.opened_on
            )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    kind = ContactKind.RELATIVE
    name = "Eva Anhörig"
    relation = "mamma"


class SupportKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportKind

    name = factory.Sequence(lambda n: f"Insats {n}")
    code = factory.Sequence(lambda n: f"insats-{n}")


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    user = factory.SubFactory(UserFactory)
    support_kind = factory.SubFactory(SupportKindFactory)
    valid_from = datetime.date(2024, 1, 1)


class MappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mapping

    person = factory.SubFactory(PersonFactory)
    case = factory.LazyAttribute(lambda o: o.person.cases.first() or CaseFactory(person=o.person))
    started_on = factory.LazyFunction(datetime.date.today)
    created_by = factory.SubFactory(UserFactory)


# The smallest file that is a PNG by its content: the signature and an (empty) IHDR chunk start.
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(13)


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    person = factory.SubFactory(PersonFactory)
    title = "Undertecknat samtycke"
    kind = AttachmentKind.CONSENT
    content = PNG_BYTES
    filename = "samtycke.png"
    content_type = "image/png"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by = factory.SubFactory(UserFactory)


__all__ = ["Role"]


_decision_numbers = itertools.count(1)


def application(
    case: Case, support_kind: SupportKind, by, applied_on: datetime.date, **extra
) -> Application:
    """A written application for `support_kind` in `case` (saved)."""
    values = {"form": "written", "what": "Stöd", **extra}
    return Application.objects.create(
        person=case.person,
        case=case,
        support_kind=support_kind,
        applied_on=applied_on,
        created_by=by,
        **values,
    )


def decision(
    case: Case,
    support_kind: SupportKind,
    by,
    decided_on: datetime.date,
    *,
    on: Application | None = None,
    applied_on: datetime.date | None = None,
    outcome: str = "grant",
    save: bool = True,
    **extra,
) -> Decision:
    """A decision by `by` on `support_kind` in `case`, on the application `on` or on a new one
    applied for on `applied_on` (default the day decided): a grant unless `outcome` says
    otherwise, with the content, reasons, legal basis and number a test that is not about them
    needs. `save` False leaves the decision unsaved (the application is saved)."""
    on = on or application(case, support_kind, by, applied_on or decided_on)
    values = {
        "number": f"F-{next(_decision_numbers):05d}",
        "content": "Bifall" if outcome == "grant" else "Beslut",
        "reasons": "" if outcome == "grant" else "Skäl",
        "legal_basis": "4 kap. 1 § SoL",
        **extra,
    }
    made = Decision(
        application=on,
        person=case.person,
        case=case,
        support_kind=support_kind,
        decided_on=decided_on,
        outcome=outcome,
        decided_by=by,
        **values,
    )
    if save:
        made.save()
    return made


def order(decision: Decision, provider_unit: Unit, by, **extra) -> Order:
    """The order of `decision` (saved) to `provider_unit`, made by `by`: for the decision's
    person, case and kind of support, new unless `extra` says otherwise (status, accepted_on,
    the period)."""
    return Order.objects.create(
        decision=decision,
        person=decision.person,
        case=decision.case,
        support_kind=decision.support_kind,
        provider_unit=provider_unit,
        created_by=by,
        **extra,
    )
