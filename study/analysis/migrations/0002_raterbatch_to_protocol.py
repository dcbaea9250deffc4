"""RaterBatch moves to the protocol app: its table is renamed, its rows stay.

The analysis reads only; the provenance of raters lives with the raters. The table
keeps every row (a rename, no copy); ``protocol.0003`` takes the model over in
Django's state without touching the database.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="raterbatch", table="protocol_raterbatch"),
            ],
            state_operations=[
                migrations.DeleteModel(name="RaterBatch"),
            ],
        ),
    ]
