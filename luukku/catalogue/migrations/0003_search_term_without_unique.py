# Indexing replaces a service's rows under the service's row lock, so the unique index on
# (service, language, term) only slowed the inserts down.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0002_search_term_postings"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="searchterm",
            name="unique_search_term",
        ),
    ]
