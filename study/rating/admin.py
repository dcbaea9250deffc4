from __future__ import annotations

from django.contrib import admin

from study.rating.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are evidence: visible to staff, never edited or added by hand."""

    list_display = ["plan_item", "score", "response_ms", "server_ms", "submitted_at"]
    list_filter = ["plan_item__rater__study", "score", "plan_item__phase"]
    list_select_related = ["plan_item__rater__study"]
    search_fields = ["plan_item__rater__study__name"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["plan_item", "score", "response_ms", "server_ms", "submitted_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
