# An application is decided once: at most one decision of the kind "new" per application.

from django.db import migrations, models


def refuse_existing_duplicates(apps, schema_editor):
    """Stop, naming the decisions, if an application already has more than one original decision
    (issued twice before this rule): which one stands is for the registrar, not a migration."""
    Decision = apps.get_model("decisions", "Decision")
    twice = (
        Decision.objects.filter(kind="new")
        .values("application_id")
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .values("application_id")
    )
    numbers = sorted(
        Decision.objects.filter(kind="new", application_id__in=twice).values_list(
            "number", flat=True
        )
    )
    if numbers:
        raise RuntimeError(
            "These applications have more than one original decision: "
            + ", ".join(numbers)
            + ". See docs/decisions.md, 'Decided once', before migrating."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0005_appeal_reached_the_court"),
    ]

    operations = [
        migrations.RunPython(refuse_existing_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "new")),
                fields=("application",),
                name="decision_one_original_per_application",
            ),
        ),
    ]
