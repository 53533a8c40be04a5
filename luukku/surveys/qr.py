"""QR codes for printed touchpoints, as inline SVG (no image files, nothing the CSP blocks)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, title: str, scale: int = 8) -> SafeString:
    """An SVG QR code for `url`, named by `title` for screen readers.

    Error correction level Q survives a worn or partly covered print-out.
    """
    code = segno.make(url, error="q", micro=False)
    svg = code.svg_inline(scale=scale, title=title, svgclass="qr-code", lineclass=None)
    # An image with a name: screen readers announce the title instead of the path data.
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1)
    svg = svg.replace("<title>", '<title id="qr-title">', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own markup, which escapes the title
