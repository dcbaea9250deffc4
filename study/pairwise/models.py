"""Two-image trials and the choices made on them: one row per answered trial, never more."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Trial(models.Model):
    """One comparison in a rater's plan: two stimuli of one photograph, and their sides.

    A full design writes every trial of a rater when the rater is added; an active
    design writes a rater's next trial when the rater reaches it (under the study's
    row lock, from every answer so far). ``left`` and ``right`` are the sides shown.
    """

    rater = models.ForeignKey(
        "protocol.Rater", on_delete=models.CASCADE, related_name="trials", db_index=False
    )
    position = models.PositiveIntegerField()
    # RESTRICT: a stimulus cannot go while a trial shows it (deleting the study may).
    left = models.ForeignKey("protocol.Stimulus", on_delete=models.RESTRICT, related_name="+")
    right = models.ForeignKey("protocol.Stimulus", on_delete=models.RESTRICT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # When a page or JSON answer first showed this trial (set once): the server's clock
    # of the response time (``Choice.server_ms``).
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rater", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rater", "position"], name="unique_trial_position"),
            models.CheckConstraint(
                condition=~models.Q(left=models.F("right")), name="trial_two_stimuli"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater} trial #{self.position}"


class Choice(models.Model):
    trial = models.OneToOneField(Trial, on_delete=models.RESTRICT, related_name="choice")
    # The side the rater chose: the stimulus is trial.left or trial.right.
    chose_left = models.BooleanField()
    # The browser's figure, and the server's (Trial.served_at to this submission).
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    server_ms = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.trial}: {'left' if self.chose_left else 'right'}"
