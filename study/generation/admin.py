"""Admin for generation jobs: progress counts per job, and each image's status and error.

Jobs and items are written only by the generation services (``generate_outputs`` and
the workers), so they are read-only here; a job can be deleted (with its items), which
leaves the outputs it stored in the catalog.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q

from study.generation.models import GenerationItem, GenerationJob

Status = GenerationItem.Status


class GenerationItemInline(admin.TabularInline):
    model = GenerationItem
    extra = 0
    can_delete = False
    fields = [
        "image",
        "batch",
        "status",
        "error",
        "worker_host",
        "device",
        "duration_ms",
        "attempts",
        "finished_at",
    ]
    readonly_fields = fields
    ordering = ["batch", "image__name"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image__dataset")


def _count(status: str) -> Count:
    return Count("items", filter=Q(items__status=status))


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "dataset",
        "method",
        "status",
        "done",
        "skipped",
        "failed",
        "pending",
        "queue",
        "batch_size",
        "created_at",
        "duration",
    ]
    list_filter = ["status", "method", "dataset", "queue"]
    readonly_fields = [
        "dataset",
        "method",
        "weights_path",
        "weights_checksum",
        "batch_size",
        "force",
        "queue",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "done",
        "skipped",
        "failed",
        "pending",
    ]
    fields = readonly_fields
    inlines = [GenerationItemInline]

    def has_add_permission(self, request) -> bool:
        return False  # generate_outputs records jobs together with their items

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("dataset", "method")
            .annotate(
                n_done=_count(Status.DONE),
                n_skipped=_count(Status.SKIPPED),
                n_failed=_count(Status.FAILED),
                n_pending=_count(Status.PENDING),
            )
        )

    @admin.display(description="done", ordering="n_done")
    def done(self, obj: GenerationJob) -> int:
        return obj.n_done

    @admin.display(description="skipped", ordering="n_skipped")
    def skipped(self, obj: GenerationJob) -> int:
        return obj.n_skipped

    @admin.display(description="failed", ordering="n_failed")
    def failed(self, obj: GenerationJob) -> int:
        return obj.n_failed

    @admin.display(description="pending", ordering="n_pending")
    def pending(self, obj: GenerationJob) -> int:
        return obj.n_pending

    @admin.display(description="wall time")
    def duration(self, obj: GenerationJob) -> str:
        if obj.started_at is None or obj.finished_at is None:
            return "-"
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s"
