"""``create_study NAME (--config FILE.toml | --preset srgan2017)``: stimuli, raters, plans."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.protocol.config import ConfigError, parse_config
from study.protocol.management.commands._common import output_file, stdout_of
from study.protocol.plans import PlanError
from study.protocol.presets import PRESETS, load_preset, preset_source
from study.protocol.services import create_study, study_counts, write_rater_links


class Command(BaseCommand):
    help = (
        "Build a study (as a draft) from a TOML definition or a preset: checks that every "
        "arm has every output (listing what is missing), then creates the stimuli, the "
        "raters and each rater's randomised plan. Nothing is written on error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="study name (unique)")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--config", help="study definition (TOML)")
        source.add_argument("--preset", choices=sorted(PRESETS), help="a built-in design")
        parser.add_argument(
            "--allow-missing-methods",
            action="store_true",
            help="drop methods that have no outputs at all for an arm's dataset, and say which",
        )
        parser.add_argument("--links", help="write the raters' links here (CSV rater,url)")

    def handle(self, *args, **options) -> None:
        try:
            if options["config"]:
                path = Path(options["config"])
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(f"{path}: cannot read ({exc})") from None
                config = parse_config(text, source=str(path))
            else:
                text = preset_source(options["preset"])
                config = load_preset(options["preset"])
            study, design = create_study(
                name=options["name"],
                config=config,
                source=text,
                allow_missing_methods=options["allow_missing_methods"],
            )
        except ConfigError as exc:
            raise CommandError("invalid study definition:\n  " + "\n  ".join(exc.errors)) from None
        except PlanError as exc:
            raise CommandError(f"no valid plan: {exc}") from None
        for note in design.notes:
            self.stderr.write(note)
        counts = study_counts(study=study)
        checks = ""
        if counts["gold"] or counts["attention"]:
            checks = f", {counts['gold']} gold and {counts['attention']} attention items"
        self.stdout.write(
            f"study {study.name!r} created (draft, seed {study.seed}): "
            f"{counts['rating']} rating stimuli ({counts['retest']} retested), "
            f"{counts['calibration']} calibration stimuli{checks}, {counts['raters']} raters"
        )
        if options["links"]:
            with output_file(options["links"], stdout_of(self)) as out:
                write_rater_links(study.raters.order_by("number"), out)
