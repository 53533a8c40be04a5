# The search index's (language, term) index also carries service and weight, so that ranking is
# an index-only scan on SQLite and PostgreSQL.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="searchterm",
            name="catalogue_s_languag_01d849_idx",
        ),
        migrations.AddIndex(
            model_name="searchterm",
            index=models.Index(
                fields=["language", "term", "service", "weight"], name="search_term_postings"
            ),
        ),
    ]
