"""Generation jobs: one per (dataset, method, weights) request, one item per image."""

from __future__ import annotations

from django.db import models


class GenerationJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "finished with failures"

    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="+")
    method = models.ForeignKey("catalog.Method", on_delete=models.PROTECT, related_name="+")
    weights_path = models.CharField(max_length=1000, blank=True)
    weights_checksum = models.CharField(max_length=64, blank=True)
    batch_size = models.PositiveIntegerField(default=8)
    force = models.BooleanField(default=False)
    queue = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"job {self.pk}: {self.dataset.name} / {self.method.key}"


class GenerationItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DONE = "done", "done"
        SKIPPED = "skipped", "skipped (output exists)"
        FAILED = "failed", "failed"

    job = models.ForeignKey(GenerationJob, on_delete=models.CASCADE, related_name="items")
    image = models.ForeignKey("catalog.SourceImage", on_delete=models.CASCADE, related_name="+")
    batch = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    worker_host = models.CharField(max_length=200, blank=True)
    # How the output was computed: the precision srmodels chose, why, and on which
    # processor ("bf16 (auto: bf16, the CPU has amx_bf16) on <CPU model>, 8 thread(s)").
    device = models.CharField(max_length=200, blank=True)
    precision = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The run that holds this pending item and until when (study.generation.leases): it
    # renews the lease while it runs; workers send a batch whose lease expired again.
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["job", "batch", "image"]
        constraints = [models.UniqueConstraint(fields=["job", "image"], name="unique_job_image")]
        indexes = [models.Index(fields=["leased_until"], name="generation_item_lease")]

    def __str__(self) -> str:
        return f"{self.job} / {self.image.name}: {self.status}"
