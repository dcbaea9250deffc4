"""Registers the two-image kinds with the protocol (plans, links, "answered?") and the analysis."""

from __future__ import annotations

from study.analysis import kinds as analysis_kinds
from study.pairwise import dashboard, exports, imports, selectors, services, simulation
from study.protocol import kinds

for _name in ("pairwise", "2afc-real"):
    kinds.register(
        kinds.StudyKind(
            name=_name,
            rater_prefix="c",
            write_plans=services.write_plans,
            delete_plans=services.delete_plans,
            has_responses=lambda study: selectors.has_choices(study=study),
            output_has_responses=lambda output_id: selectors.output_has_choices(
                output_id=output_id
            ),
            answers_by_study=selectors.choices_by_study,
            presentations=lambda rater, positions: selectors.trial_presentations(
                rater=rater, positions=positions
            ),
        )
    )

# The analysis side: exports, imported and simulated choices, the dashboard's page.
for _name in ("pairwise", "2afc-real"):
    analysis_kinds.register(
        analysis_kinds.AnalysisKind(
            name=_name,
            export_results=exports.export_results,
            export_zip=exports.export_zip,
            import_ratings=imports.import_choices,
            reads_header=imports.reads_header,
            simulate_raters=simulation.simulate_choices,
            study_page=dashboard.study_page,
            study_live=dashboard.study_live,
        )
    )
