"""The Content-Security-Policy header, which Django 5.2's SecurityMiddleware does not send.

The policy (``settings.CONTENT_SECURITY_POLICY``) allows scripts, styles, images and
requests from the site itself only: the pages load their JavaScript from ``/static/``
and run no inline script. Inline ``style`` attributes stay allowed (``style-src-attr``):
the server writes sizes into them (a stimulus' true pixel height, the progress bar, a
table cell's colour), and a style attribute cannot run code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Add the site's policy to every response that does not carry its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        policy: str = settings.CONTENT_SECURITY_POLICY
        if policy and HEADER not in response:
            response[HEADER] = policy
        return response
