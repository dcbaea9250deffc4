from __future__ import annotations

import pytest

from study.catalog.models import Method
from study.catalog.services import CatalogError, ensure_method

pytestmark = pytest.mark.django_db

PAPER_LABELS = {
    "nearest": ("NN", "interpolation"),
    "bicubic": ("Bicubic", "interpolation"),
    "srcnn": ("SRCNN", "model"),
    "espcn": ("ESPCN", "model"),
    "drcn": ("DRCN", "model"),
    "srresnet-mse": ("SRResNet", "model"),
    "srresnet-vgg22": ("SRResNet-VGG22", "model"),
    "srgan-mse": ("SRGAN-MSE", "model"),
    "srgan-vgg22": ("SRGAN-VGG22", "model"),
    "srgan-vgg54": ("SRGAN", "model"),
    "hr": ("HR", "reference"),
    "selfexsr": ("SelfExSR", "external"),
}


def test_it_gives_every_paper_method_its_label_and_kind():
    for key, (label, kind) in PAPER_LABELS.items():
        method = ensure_method(key=key)
        assert (method.key, method.label, method.kind) == (key, label, kind)
    assert Method.objects.count() == len(PAPER_LABELS)


def test_it_lowercases_names_and_reuses_the_row():
    first = ensure_method(key="SRCNN")
    assert first.key == "srcnn"
    assert ensure_method(key="srcnn").pk == first.pk


def test_it_labels_external_methods_and_updates_a_new_label():
    method = ensure_method(key="glasner")
    assert (method.label, method.kind) == ("glasner", "external")
    assert ensure_method(key="glasner", label="Glasner").label == "Glasner"
    assert ensure_method(key="glasner").label == "Glasner"


def test_it_refuses_to_relabel_a_registry_method():
    with pytest.raises(CatalogError, match="'srgan-vgg54' is labelled 'SRGAN' by the registry"):
        ensure_method(key="srgan-vgg54", label="My SRGAN")
    assert not Method.objects.exists()


def test_it_refuses_names_that_cannot_be_file_names():
    with pytest.raises(ValueError, match=r"invalid method name '\.\./x'"):
        ensure_method(key="../x")
