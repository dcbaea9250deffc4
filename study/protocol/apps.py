from __future__ import annotations

from django.apps import AppConfig


class ProtocolConfig(AppConfig):
    name = "study.protocol"
    label = "protocol"
