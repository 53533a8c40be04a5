# A service's terms are looked up by (service, language, term) when ranking the services a
# distinctive word found, and deleted by service when reindexing: one composite index serves
# both, in place of the foreign key's own index.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0003_search_term_without_unique"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="searchterm",
            index=models.Index(
                fields=["service", "language", "term"], name="search_term_by_service"
            ),
        ),
        migrations.AlterField(
            model_name="searchterm",
            name="service",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_terms",
                to="catalogue.service",
            ),
        ),
    ]
