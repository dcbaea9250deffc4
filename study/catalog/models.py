"""The catalog: datasets, their source images, methods, and one output per image and method."""

from __future__ import annotations

from django.db import models


class Dataset(models.Model):
    class Role(models.TextChoices):
        TEST = "test", "test"
        CALIBRATION = "calibration", "calibration"
        TRAINING = "training", "training"

    name = models.CharField(max_length=100, unique=True)
    scale = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.TEST)
    source_dir = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (x{self.scale}, {self.role})"


class SourceImage(models.Model):
    """An HR image, mod-cropped to a multiple of the dataset's scale, and its LR input."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="images")
    name = models.CharField(max_length=200)
    hr = models.FileField(max_length=500)
    lr = models.FileField(max_length=500)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    lr_width = models.PositiveIntegerField()
    lr_height = models.PositiveIntegerField()
    # SHA-256 of the stored HR PNG file: re-importing identical pixels is a no-op.
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["dataset", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="unique_image_name")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.name}/{self.name}"


class Method(models.Model):
    """A way of producing an image from the LR input, or the HR reference itself."""

    class Kind(models.TextChoices):
        REFERENCE = "reference", "reference"
        INTERPOLATION = "interpolation", "interpolation"
        MODEL = "model", "model"
        EXTERNAL = "external", "external"

    # A srmodels registry key (e.g. "srresnet-mse"), "hr", or an external name ("selfexsr").
    key = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Output(models.Model):
    """One method's image for one source image, with its fidelity against HR."""

    class Origin(models.TextChoices):
        REFERENCE = "reference", "reference (the HR image)"
        GENERATED = "generated", "generated"
        IMPORTED = "imported", "imported"

    image = models.ForeignKey(SourceImage, on_delete=models.CASCADE, related_name="outputs")
    method = models.ForeignKey(Method, on_delete=models.PROTECT, related_name="outputs")
    file = models.FileField(max_length=500)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Y channel (MATLAB rgb2ycbcr, rounded), border = scale. NULL for the HR
    # reference, whose PSNR is infinite and SSIM 1.
    psnr = models.FloatField(null=True, blank=True)
    ssim = models.FloatField(null=True, blank=True)
    ssim_daala = models.FloatField(null=True, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    # SHA-256 of the weights file that produced a generated output.
    weights_checksum = models.CharField(max_length=64, blank=True)
    # The folder an imported output came from, or the weights path / job of a generated one.
    source = models.CharField(max_length=1000, blank=True)
    checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["image", "method"]
        constraints = [models.UniqueConstraint(fields=["image", "method"], name="unique_output")]

    def __str__(self) -> str:
        return f"{self.image} / {self.method.key}"
