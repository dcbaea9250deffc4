from __future__ import annotations

from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "study.analysis"
    label = "analysis"

    def ready(self) -> None:
        # Registers the "acr" kind's exports, imports, simulations and pages.
        from study.analysis import acr  # noqa: F401
