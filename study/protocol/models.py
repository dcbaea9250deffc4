"""Studies, their stimuli, raters and each rater's ordered plan, and where raters came from."""

from __future__ import annotations

import secrets

from django.db import models

# ``Rater.external_source`` of raters no person invited (see RaterBatch): ratings
# imported from a file, and simulated raters.
IMPORTED_SOURCE = "import"
SIMULATED_SOURCE = "simulated"


def new_public_id() -> str:
    # Opaque id for stimulus URLs: reveals nothing about method, image or position.
    return secrets.token_urlsafe(16)


def new_rater_token() -> str:
    # 192 random bits: invitation links cannot be guessed or enumerated.
    return secrets.token_urlsafe(24)


class Study(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "draft"
        OPEN = "open", "open"
        CLOSED = "closed", "closed"

    name = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=200, blank=True)
    # The validated, normalised study definition (see protocol.config).
    config = models.JSONField()
    config_source = models.TextField(blank=True)
    seed = models.BigIntegerField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Where a finished rater is sent (e.g. Prolific); "{code}" is replaced by the completion code.
    completion_redirect_url = models.CharField(max_length=1000, blank=True)
    items_per_sitting = models.PositiveIntegerField(null=True, blank=True)
    break_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.name


class Stimulus(models.Model):
    """An output as shown in a study: rated, shown as a calibration anchor, or a check.

    Gold and attention stimuli (``[quality]``) are rated like any rating stimulus, on
    the same page, but never enter a MOS, a test or a table: a rater's answers to them
    decide whether the rater is accepted. Their accepted scores are ``expected_low``
    to ``expected_high`` (gold: the low method 1-2, the high one 4-5; attention: the
    score the image asks for).
    """

    class Role(models.TextChoices):
        RATING = "rating", "rating"
        CALIBRATION = "calibration", "calibration"
        # What two-image trials compare a method against (2afc-real: the HR image).
        REFERENCE = "reference", "reference"
        GOLD = "gold", "gold"
        ATTENTION = "attention", "attention"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="stimuli")
    output = models.ForeignKey("catalog.Output", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)
    # The score a calibration anchor is shown with (e.g. NN = 1, HR = 5).
    anchor_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # Part of the test-retest block: every rater sees it twice.
    retest = models.BooleanField(default=False)
    # The scores a gold or attention stimulus accepts (None for the other roles).
    expected_low = models.PositiveSmallIntegerField(null=True, blank=True)
    expected_high = models.PositiveSmallIntegerField(null=True, blank=True)
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id)

    class Meta:
        verbose_name_plural = "stimuli"
        constraints = [
            models.UniqueConstraint(
                fields=["study", "output", "role"], name="unique_stimulus_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.study.name}: {self.output} ({self.role})"


class Rater(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="raters")
    number = models.PositiveIntegerField()
    token = models.CharField(max_length=64, unique=True, default=new_rater_token)
    simulated = models.BooleanField(default=False)
    # Crowdsourcing id passed in the invitation link (PROLIFIC_PID, workerId or pid).
    external_id = models.CharField(max_length=200, blank=True)
    external_source = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The code the done page shows and the completion redirect carries: a random one,
    # or the study's screen-out code for a rater rejected when they finished.
    completion_code = models.CharField(max_length=32, blank=True)
    # Rejected by the study's [quality] reject_if when the last item was stored
    # (gold, attention: the rater's own answers); ";"-separated rules. Never deleted.
    rejected = models.BooleanField(default=False)
    rejection_reasons = models.CharField(max_length=200, blank=True)
    # Position of the next plan item to show; moved only by the rating app: the
    # submission service under a row lock (which is what makes a double submit store
    # one rating), and record_ratings for the whole plan of an imported or simulated rater.
    position = models.PositiveIntegerField(default=0)
    # Position at which the current sitting began, and the end of an enforced break.
    sitting_start = models.PositiveIntegerField(default=0)
    break_until = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="unique_rater_number")
        ]

    def __str__(self) -> str:
        return f"{self.study.name} rater {self.number}"


class PlanItem(models.Model):
    class Phase(models.TextChoices):
        CALIBRATION = "calibration", "calibration"
        RATING = "rating", "rating"

    # No index of its own: the unique (rater, position) index serves rater lookups.
    rater = models.ForeignKey(Rater, on_delete=models.CASCADE, related_name="plan", db_index=False)
    position = models.PositiveIntegerField()
    phase = models.CharField(max_length=16, choices=Phase.choices)
    # RESTRICT, not PROTECT: a stimulus cannot go while a plan uses it, but deleting
    # the whole study (which removes the plans too) is allowed; Django enforces it.
    # No database constraint: plans are the platform's largest write (1,000 raters =
    # 1.2 M rows) and PostgreSQL's per-row foreign-key check costs more than the
    # insert itself. The only writer, protocol.services, takes the ids from the
    # study's own stimuli in the same transaction. The index stays: "has this
    # output been rated?" looks plan items up by stimulus.
    stimulus = models.ForeignKey(
        Stimulus, on_delete=models.RESTRICT, related_name="plan_items", db_constraint=False
    )
    # 0 for the first presentation, 1 for the test-retest repeat.
    repeat = models.PositiveSmallIntegerField(default=0)
    # When a page or JSON answer first showed this item to the rater (set once by the
    # rating app): the server's clock of the response time (``Rating.server_ms``).
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["rater", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rater", "position"], name="unique_plan_position")
        ]

    def __str__(self) -> str:
        return f"{self.rater} #{self.position}"


class RaterBatch(models.Model):
    """One ``simulate_raters`` or ``import_ratings`` run: which raters it made, and how.

    The raters themselves carry the flag (``Rater.simulated``, ``Rater.external_source``);
    this row keeps what cannot be read back from them (seed, planted qualities, the
    imported file and its checksum), so every export can say where its data came from.
    (The analysis app defined it first: its migrations hand the table over.)
    """

    class Kind(models.TextChoices):
        SIMULATED = "simulated", "simulated"
        IMPORTED = "imported", "imported"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    first_number = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField()
    # The rater numbers as ranges ("1-2,4-28"): a batch that filled a study's unopened
    # places need not be contiguous. Empty for batches from before: first-last.
    numbers = models.TextField(blank=True)
    parameters = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "first_number"]

    def __str__(self) -> str:
        numbers = self.numbers or f"{self.first_number}-{self.last_number}"
        return f"{self.study.name}: {self.kind} raters {numbers}"
