"""Admin for the catalog: browse datasets, images, methods and outputs with their metrics.

Images and outputs are created only by the import and generation services (which
write files and rows together), so their rows are read-only here: editing a file
path or a PSNR by hand would break the link between a number and its image.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from study.catalog.models import Dataset, Method, Output, SourceImage


def _thumbnail(file, size: int = 96) -> str:
    if not file:
        return "-"
    try:
        url = file.url
    except ValueError:
        return "-"
    return format_html(
        '<img src="{}" alt="" loading="lazy" style="max-width:{}px;max-height:{}px">',
        url,
        size,
        size,
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows made by services: viewable, not addable or editable (deletion per model)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "scale", "role", "image_count", "created_at"]
    list_filter = ["role", "scale"]
    search_fields = ["name"]
    readonly_fields = ["name", "scale", "source_dir", "created_at"]
    fields = ["name", "scale", "role", "source_dir", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # import_dataset creates datasets with their images

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(image_total=Count("images"))

    @admin.display(description="images", ordering="image_total")
    def image_count(self, obj: Dataset) -> int:
        return obj.image_total


@admin.register(SourceImage)
class SourceImageAdmin(ReadOnlyAdmin):
    list_display = ["name", "dataset", "width", "height", "lr_width", "lr_height", "preview"]
    list_filter = ["dataset"]
    search_fields = ["name", "dataset__name"]
    list_select_related = ["dataset"]
    readonly_fields = ["preview_large"]

    @admin.display(description="HR")
    def preview(self, obj: SourceImage) -> str:
        return _thumbnail(obj.hr, 64)

    @admin.display(description="HR image")
    def preview_large(self, obj: SourceImage) -> str:
        return _thumbnail(obj.hr, 320)


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "kind", "output_count"]
    list_filter = ["kind"]
    search_fields = ["key", "label"]
    # The key names files and study definitions; the kind follows the registry.
    readonly_fields = ["key", "kind"]

    def has_add_permission(self, request) -> bool:
        return False  # created by imports and generation (catalog.services.ensure_method)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(output_total=Count("outputs"))

    @admin.display(description="outputs", ordering="output_total")
    def output_count(self, obj: Method) -> int:
        return obj.output_total


@admin.register(Output)
class OutputAdmin(ReadOnlyAdmin):
    list_display = [
        "image",
        "method",
        "psnr_db",
        "ssim_value",
        "ssim_daala_value",
        "origin",
        "created_at",
        "preview",
    ]
    list_filter = ["method", "origin", "image__dataset"]
    search_fields = ["image__name", "image__dataset__name", "method__key", "source"]
    list_select_related = ["image__dataset", "method"]
    readonly_fields = ["preview_large"]

    @admin.display(description="PSNR (dB)", ordering="psnr")
    def psnr_db(self, obj: Output) -> str:
        return "-" if obj.psnr is None else f"{obj.psnr:.2f}"

    @admin.display(description="SSIM", ordering="ssim")
    def ssim_value(self, obj: Output) -> str:
        return "-" if obj.ssim is None else f"{obj.ssim:.4f}"

    @admin.display(description="daala SSIM", ordering="ssim_daala")
    def ssim_daala_value(self, obj: Output) -> str:
        return "-" if obj.ssim_daala is None else f"{obj.ssim_daala:.4f}"

    @admin.display(description="image")
    def preview(self, obj: Output) -> str:
        return _thumbnail(obj.file, 64)

    @admin.display(description="output image")
    def preview_large(self, obj: Output) -> str:
        return _thumbnail(obj.file, 320)
