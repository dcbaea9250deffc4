"""Provenance of raters that no person invited: simulated panels and imported ratings."""

from __future__ import annotations

from django.db import models


class RaterBatch(models.Model):
    """One ``simulate_raters`` or ``import_ratings`` run: which raters it made, and how.

    The raters themselves carry the flag (``Rater.simulated``, ``Rater.external_source``);
    this row keeps what cannot be read back from them (seed, planted qualities, the
    imported file and its checksum), so every export can say where its data came from.
    """

    class Kind(models.TextChoices):
        SIMULATED = "simulated", "simulated"
        IMPORTED = "imported", "imported"

    study = models.ForeignKey("protocol.Study", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    first_number = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField()
    parameters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "first_number"]

    def __str__(self) -> str:
        return f"{self.study.name}: {self.kind} raters {self.first_number}-{self.last_number}"
