from django.db import migrations

GENESIS_HASH = "0" * 64


def create_chain_head(apps, schema_editor):
    # With the row in place from the start, every writer locks the same existing row: two first
    # writers can never both see "no head" and start two chains.
    apps.get_model("audit", "ChainHead").objects.get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_accesslog_append_only_base_manager"),
    ]

    operations = [
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
