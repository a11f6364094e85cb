"""Small inline SVG pictures: the spacing map of a case, and bar charts of a population.

Inline in the page, so no namespace declaration and nothing fetched. No tile server and no script: the map is the applicant at the centre, the rule's radius as a
circle, and each neighbour the trace names at its place (an equirectangular projection about
the applicant, exact enough at a few kilometres), with a scale bar. Every text passes through
`escape`. Fonts are the page's (render/case_html.py's CJK stack).
"""
from __future__ import annotations

import math
from html import escape

from i18n import gettext as _

from . import units
from .case import SpacingMap

_EARTH_M = 6_371_008.8


def _e(text) -> str:
    return escape(str(text), quote=True)


def _offset_m(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    east = math.radians(lon - lon0) * _EARTH_M * math.cos(math.radians(lat0))
    north = math.radians(lat - lat0) * _EARTH_M
    return east, north


def spacing_map(picture: SpacingMap, size: int = 360) -> str:
    me = picture.applicant
    points = [(_offset_m(me.lat, me.lon, n.lat, n.lon), n) for n in picture.neighbours]
    reach = max([picture.radius_m] + [math.hypot(x, y) for (x, y), _n in points]
                + [d for _label, d in picture.unplaced]) * 1.25
    half = size / 2
    scale = (half - 24) / reach  # pixels per metre

    def at(x: float, y: float) -> tuple[float, float]:
        return half + x * scale, half - y * scale

    out = [f'<svg class="map" viewBox="0 0 {size} {size}" width="{size}" '
           f'height="{size}" role="img" aria-label="{_e(_("spacing map"))}">',
           f'<rect x="0" y="0" width="{size}" height="{size}" fill="#f8faf8" stroke="#bbb"/>',
           f'<circle class="radius" cx="{half}" cy="{half}" r="{picture.radius_m * scale:.1f}" fill="#e3f0e6" '
           f'stroke="#2e7d32" stroke-dasharray="6 4"/>',
           f'<text x="{half}" y="{half + picture.radius_m * scale + 16:.1f}" text-anchor="middle" font-size="12" '
           f'fill="#2e7d32">{_e(_("radius {radius}").format(radius=units.metres(picture.radius_m)))}</text>']
    for label, distance in picture.unplaced:  # a distance without a place: a ring, never an invented position
        out.append(f'<circle class="unplaced" cx="{half}" cy="{half}" r="{distance * scale:.1f}" fill="none" '
                   f'stroke="#a01818" stroke-dasharray="2 3"/>')
        out.append(f'<text x="{half}" y="{half + distance * scale + 14:.1f}" text-anchor="middle" font-size="11" '
                   f'fill="#a01818">{_e(_("{label}: {value} (place not given)").format(label=label, value=units.metres(distance)))}</text>')
    for (x, y), n in points:
        px, py = at(x, y)
        colour = "#a01818" if n.counted else "#777"
        out.append(f'<line x1="{half}" y1="{half}" x2="{px:.1f}" y2="{py:.1f}" stroke="{colour}" stroke-width="1"/>')
        out.append(f'<circle class="neighbour" cx="{px:.1f}" cy="{py:.1f}" r="5" fill="{colour}"/>')
        anchor = "end" if px > half else "start"  # labels run inward, never off the edge
        dx = 8 if anchor == "start" else -8
        out.append(f'<text x="{px + dx:.1f}" y="{py - 6:.1f}" text-anchor="{anchor}" font-size="11" '
                   f'fill="{colour}">{_e(n.label)}</text>')
        if n.distance:
            out.append(f'<text x="{px + dx:.1f}" y="{py + 10:.1f}" text-anchor="{anchor}" font-size="11" '
                       f'fill="{colour}">{_e(n.distance)}</text>')
    out.append(f'<circle class="applicant" cx="{half}" cy="{half}" r="6" fill="#1f4e9a"/>')
    out.append(f'<text x="{half}" y="{half + 20}" text-anchor="middle" font-size="12" font-weight="bold" '
               f'fill="#1f4e9a">{_e(me.label)}</text>')
    bar_m = _nice(reach / 3)
    bar = bar_m * scale
    out.append(f'<line x1="12" y1="{size - 14}" x2="{12 + bar:.1f}" y2="{size - 14}" stroke="#333" stroke-width="2"/>')
    out.append(f'<text x="12" y="{size - 20}" font-size="11" fill="#333">{_e(units.metres(bar_m))}</text>')
    out.append(f'<text x="{size - 12}" y="18" text-anchor="end" font-size="12" fill="#333">{_e(_("N"))} ↑</text>')
    out.append("</svg>")
    return "".join(out)


def _nice(value: float) -> float:
    power = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(title: str, bars: list[tuple[str, float]], width: int = 640) -> str:
    """Horizontal bars, one per label, the count written at the end of each (the title is the figure's label)."""
    from .wrap import width as columns

    row = 24
    left = min(max([columns(label) * 7 + 16 for label, _v in bars] + [80]), 400)  # 12px type: ~7px a column
    width = max(width, left + 260)
    height = row * len(bars) + 16
    top = max([v for _label, v in bars] + [1])
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{_e(title)}">']
    for i, (label, value) in enumerate(bars):
        y = 4 + i * row
        length = (width - left - 60) * value / top
        out.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="12">{_e(label)}</text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="#4a7bb7"/>')
        out.append(f'<text x="{left + length + 6:.1f}" y="{y + 15}" font-size="12">{_e(units.plain(value))}</text>')
    out.append("</svg>")
    return "".join(out)
