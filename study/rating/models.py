"""Ratings: one row per rated plan item, never more (enforced by the database)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Rating(models.Model):
    plan_item = models.OneToOneField(
        "protocol.PlanItem", on_delete=models.RESTRICT, related_name="rating"
    )
    score = models.PositiveSmallIntegerField()
    # The browser's figure (time the image was on screen), and the server's: from
    # when the item was first served (PlanItem.served_at) to this submission.
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    server_ms = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_item}: {self.score}"
