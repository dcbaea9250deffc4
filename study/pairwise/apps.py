from __future__ import annotations

from django.apps import AppConfig


class PairwiseConfig(AppConfig):
    name = "study.pairwise"
    label = "pairwise"
    verbose_name = "two-image studies"

    def ready(self) -> None:
        # Registers the "pairwise" and "2afc-real" kinds with the protocol and the analysis.
        from study.pairwise import kinds  # noqa: F401
