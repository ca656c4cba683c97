"""The capacity page's places used counted from an index alone (issue 17): accepted orders in
their period per kind (`order_places_idx`, which also serves the new orders of the units that
the narrower `order_status_unit_idx` served)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0010_h5_order_status_unit"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="order",
            name="order_status_unit_idx",
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["status", "provider_unit", "support_kind", "period_from", "period_to"],
                name="order_places_idx",
            ),
        ),
    ]
