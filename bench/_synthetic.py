"""What the database benchmarks share: a throwaway Django setup and the preset's catalog.

The catalog holds rows only (no image files): the plan and export benchmarks never
open an image, and 319 images x 12 methods of real PNGs would only slow them down.
"""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(tmp: Path) -> None:
    """Django on BENCH_DATABASE_URL, or on a new SQLite file in ``tmp``."""
    os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "study.settings"
    import django

    django.setup()


def preset_catalog(*, metrics_seed: int | None = None) -> None:
    """Rows for the srgan2017 preset: Set5, Set14, BSD100, BSD300-train x the 12 methods.

    With ``metrics_seed`` the outputs get made-up PSNR / SSIM (the exports print them).
    """
    import numpy as np

    from study.catalog.models import Dataset, Output, SourceImage
    from study.catalog.services import ensure_method
    from study.srgan2017 import METHODS

    rng = np.random.default_rng(metrics_seed)
    methods = [ensure_method(key=key) for key in METHODS]
    sizes = {"Set5": 5, "Set14": 14, "BSD100": 100, "BSD300-train": 200}
    for name, count in sizes.items():
        role = Dataset.Role.CALIBRATION if name == "BSD300-train" else Dataset.Role.TEST
        dataset = Dataset.objects.create(name=name, scale=4, role=role)
        images = SourceImage.objects.bulk_create(
            [
                SourceImage(
                    dataset=dataset,
                    name=f"img_{i:03d}",
                    hr=f"datasets/{name}/hr/img_{i:03d}.png",
                    lr=f"datasets/{name}/lr/img_{i:03d}.png",
                    width=480,
                    height=320,
                    lr_width=120,
                    lr_height=80,
                    checksum="0" * 64,
                )
                for i in range(1, count + 1)
            ]
        )
        outputs = []
        for image in images:
            for method in methods:
                hr = method.key == "hr"
                measured = metrics_seed is not None and not hr
                outputs.append(
                    Output(
                        image=image,
                        method=method,
                        file=f"outputs/{name}/{method.key}/{image.name}.png",
                        width=480,
                        height=320,
                        psnr=float(rng.uniform(24, 32)) if measured else None,
                        ssim=float(rng.uniform(0.6, 0.9)) if measured else None,
                        ssim_daala=float(rng.uniform(0.6, 0.9)) if measured else None,
                        origin=Output.Origin.REFERENCE if hr else Output.Origin.GENERATED,
                        checksum="0" * 64,
                    )
                )
        Output.objects.bulk_create(outputs, batch_size=2000)
