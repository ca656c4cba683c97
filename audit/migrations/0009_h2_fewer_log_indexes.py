# Two indexes fewer to write for every access-log entry (bench/README.md, the history import,
# 7 Dec 2026): the user's own index (accesslog_user_at_idx leads with the user) and the LIKE index
# `unique=True` made on PostgreSQL for the hash. The hash stays unique through the same index,
# now declared as a constraint of the same name, so the index is neither dropped nor rebuilt.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0008_access_log_chains'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Only the two indexes go: the key and the unique index are kept as they are.
            state_operations=[
                migrations.AlterField(
                    model_name='accesslogentry',
                    name='entry_hash',
                    field=models.CharField(max_length=64),
                ),
                migrations.AlterField(
                    model_name='accesslogentry',
                    name='user',
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name='+',
                        to=settings.AUTH_USER_MODEL,
                        verbose_name='who',
                    ),
                ),
                migrations.AddConstraint(
                    model_name='accesslogentry',
                    constraint=models.UniqueConstraint(
                        fields=('entry_hash',), name='audit_accesslogentry_entry_hash_key'
                    ),
                ),
            ],
            database_operations=[
                # The foreign key itself is kept as it is (dropping the index only).
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS audit_accesslogentry_user_id_df6d7662",
                    "CREATE INDEX audit_accesslogentry_user_id_df6d7662"
                    " ON audit_accesslogentry (user_id)",
                ),
                # Only PostgreSQL made it; IF EXISTS makes this a no-op elsewhere.
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS audit_accesslogentry_entry_hash_c422d78a_like",
                    migrations.RunSQL.noop,
                ),
            ],
        ),
    ]
