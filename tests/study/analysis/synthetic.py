"""A simulated ratings frame and the StudyFacts of its study, built without the database."""

from __future__ import annotations

import pandas as pd

from study.analysis.pipeline import StudyFacts
from study.analysis.simulate import simulate_ratings

QUALITY = {"hr": 4.5, "srgan-vgg54": 3.8, "srgan-mse": 3.0, "srresnet-mse": 2.6, "nearest": 1.2}


def ratings_and_facts(*, n_raters: int = 8) -> tuple[pd.DataFrame, StudyFacts]:
    """The QUALITY methods on Set5 (3 images, x4) and my_set (2 images, x2), every image
    rated by ``n_raters`` simulated raters; NN and SRGAN-VGG54 have catalog labels."""
    stimuli = pd.DataFrame(
        [
            (dataset, image, method, quality)
            for dataset, images in (("my_set", ("x", "y")), ("Set5", ("a", "b", "c")))
            for image in images
            for method, quality in QUALITY.items()
        ],
        columns=["dataset", "image", "method", "quality"],
    )
    ratings = simulate_ratings(stimuli=stimuli, n_raters=n_raters, seed=4, noise_sd=0.5)
    raters = sorted(ratings["rater"].unique())
    facts = StudyFacts(
        name="pure",
        raters=pd.DataFrame(
            {"rater": raters, "simulated": True, "imported": False}, index=range(len(raters))
        ),
        metrics=stimuli.groupby(["dataset", "method"], as_index=False)
        .size()
        .rename(columns={"size": "images"})
        .assign(psnr=25.0, ssim=0.8, ssim_daala=0.85),
        labels={"srgan-vgg54": "SRGAN-VGG54", "nearest": "NN"},
        scales={"Set5": 4, "my_set": 2},
    )
    return ratings, facts
