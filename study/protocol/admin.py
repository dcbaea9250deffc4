"""Admin for studies, stimuli, raters and plans.

Studies, stimuli, raters and plans are made by the protocol services
(create_study, invite_raters), which keep them consistent; here they are
browsed, the lifecycle is driven by actions, and only what cannot break a
running study is editable: a study's title and completion URL always, its
session limits while it is a draft. Stimuli and plan items are never edited.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count

from study.protocol import services
from study.protocol.models import PlanItem, Rater, Stimulus, Study

ALWAYS_READ_ONLY = [
    "name",
    "state",
    "seed",
    "config",
    "config_source",
    "created_at",
    "opened_at",
    "closed_at",
]


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "state", "rater_count", "stimulus_count", "created_at"]
    list_filter = ["state"]
    search_fields = ["name", "title"]
    actions = ["open_selected", "close_selected"]

    def has_add_permission(self, request) -> bool:
        return False  # create_study validates the definition and builds the plans

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != Study.State.DRAFT:
            return [*ALWAYS_READ_ONLY, "items_per_sitting", "break_minutes"]
        return ALWAYS_READ_ONLY

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                rater_total=Count("raters", distinct=True),
                stimulus_total=Count("stimuli", distinct=True),
            )
        )

    @admin.display(description="raters", ordering="rater_total")
    def rater_count(self, obj: Study) -> int:
        return obj.rater_total

    @admin.display(description="stimuli", ordering="stimulus_total")
    def stimulus_count(self, obj: Study) -> int:
        return obj.stimulus_total

    def _transition(self, request, queryset, service, verb: str) -> None:
        for study in queryset:
            try:
                service(study=study)
            except services.ProtocolError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
            else:
                self.message_user(request, f"{study.name}: {verb}", level=messages.SUCCESS)

    @admin.action(description="Open selected studies (or reopen closed ones)")
    def open_selected(self, request, queryset) -> None:
        self._transition(request, queryset, services.open_study, "opened")

    @admin.action(description="Close selected studies")
    def close_selected(self, request, queryset) -> None:
        self._transition(request, queryset, services.close_study, "closed")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Stimulus)
class StimulusAdmin(ReadOnlyAdmin):
    list_display = [
        "study",
        "role",
        "dataset",
        "image",
        "method",
        "anchor_score",
        "retest",
        "expected_low",
        "expected_high",
    ]
    list_filter = ["study", "role", "retest", "output__method", "output__image__dataset"]
    search_fields = ["study__name", "output__image__name", "output__method__key", "public_id"]
    list_select_related = ["study", "output__image__dataset", "output__method"]

    @admin.display(ordering="output__image__dataset__name")
    def dataset(self, obj: Stimulus) -> str:
        return obj.output.image.dataset.name

    @admin.display(ordering="output__image__name")
    def image(self, obj: Stimulus) -> str:
        return obj.output.image.name

    @admin.display(ordering="output__method__key")
    def method(self, obj: Stimulus) -> str:
        return obj.output.method.key


@admin.register(Rater)
class RaterAdmin(ReadOnlyAdmin):
    list_display = [
        "study",
        "number",
        "progress",
        "simulated",
        "external_source",
        "external_id",
        "started_at",
        "finished_at",
        "rejected",
        "rejection_reasons",
    ]
    list_filter = ["study", "simulated", "external_source", "rejected"]
    search_fields = ["study__name", "external_id", "completion_code"]
    list_select_related = ["study"]
    readonly_fields = ["link"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_total=Count("plan"))

    @admin.display(description="progress", ordering="position")
    def progress(self, obj: Rater) -> str:
        return f"{obj.position} / {obj.plan_total}"

    @admin.display(description="invitation link")
    def link(self, obj: Rater) -> str:
        return services.rater_url(obj)


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ["rater", "position", "phase", "stimulus", "repeat"]
    list_filter = ["phase", "repeat", "rater__study"]
    search_fields = ["rater__study__name", "stimulus__output__image__name"]
    list_select_related = [
        "rater__study",
        "stimulus__study",
        "stimulus__output__image__dataset",
        "stimulus__output__method",
    ]
    show_full_result_count = False  # plans run to millions of rows
