"""RaterBatch, moved here from the analysis app: state only.

``analysis.0002`` renamed the table to ``protocol_raterbatch``; this migration
records the model in the protocol's state and changes nothing in the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("protocol", "0002_plan_item_indexes"),
        ("analysis", "0002_raterbatch_to_protocol"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="RaterBatch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("simulated", "simulated"), ("imported", "imported")],
                                max_length=16,
                            ),
                        ),
                        ("first_number", models.PositiveIntegerField()),
                        ("last_number", models.PositiveIntegerField()),
                        ("parameters", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "study",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="protocol.study",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["study", "first_number"],
                    },
                ),
            ],
        ),
    ]
