"""ETRS-TM35FIN (EPSG:3067) ↔ WGS84 degrees for service location coordinates.

PTV's open API gives a service location's `latitude` and `longitude` as ETRS-TM35FIN northing
and easting in metres; our channels keep WGS84 degrees, which maps and distances use. The
transverse Mercator formulas are the Krüger series of the national recommendation JHS 154
(GRS80 ellipsoid, central meridian 27° E, scale 0.9996, false easting 500 000 m); their error is
far below a millimetre inside Finland. ETRS89 and WGS84 differ by well under a metre here, which
is below the precision of a service location's address point.
"""

from __future__ import annotations

import math

_A = 6378137.0
_F = 1 / 298.257222101
_K0 = 0.9996
_LON0 = math.radians(27.0)
_FALSE_EASTING = 500000.0

_N = _F / (2 - _F)
_E = math.sqrt(_F * (2 - _F))
_A1 = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_FORWARD = (
    _N / 2 - 2 * _N**2 / 3 + 5 * _N**3 / 16 + 41 * _N**4 / 180,
    13 * _N**2 / 48 - 3 * _N**3 / 5 + 557 * _N**4 / 1440,
    61 * _N**3 / 240 - 103 * _N**4 / 140,
    49561 * _N**4 / 161280,
)
_INVERSE = (
    _N / 2 - 2 * _N**2 / 3 + 37 * _N**3 / 96 - _N**4 / 360,
    _N**2 / 48 + _N**3 / 15 - 437 * _N**4 / 1440,
    17 * _N**3 / 480 - 37 * _N**4 / 840,
    4397 * _N**4 / 161280,
)


def tm35fin_to_wgs84(northing: float, easting: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees for an ETRS-TM35FIN point."""
    xi = northing / (_A1 * _K0)
    eta = (easting - _FALSE_EASTING) / (_A1 * _K0)
    xi_p, eta_p = xi, eta
    for j, h in enumerate(_INVERSE, start=1):
        xi_p -= h * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta_p -= h * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    beta = math.asin(math.sin(xi_p) / math.cosh(eta_p))
    lon = _LON0 + math.asin(math.tanh(eta_p) / math.cos(beta))
    q = math.asinh(math.tan(beta))
    q_p = q
    for _ in range(6):
        q_p = q + _E * math.atanh(_E * math.tanh(q_p))
    lat = math.atan(math.sinh(q_p))
    return math.degrees(lat), math.degrees(lon)


def wgs84_to_tm35fin(latitude: float, longitude: float) -> tuple[float, float]:
    """(northing, easting) in metres for a WGS84 point."""
    lat = math.radians(latitude)
    q = math.asinh(math.tan(lat)) - _E * math.atanh(_E * math.sin(lat))
    beta = math.atan(math.sinh(q))
    eta_p = math.atanh(math.cos(beta) * math.sin(math.radians(longitude) - _LON0))
    xi_p = math.asin(math.sin(beta) * math.cosh(eta_p))
    xi, eta = xi_p, eta_p
    for j, h in enumerate(_FORWARD, start=1):
        xi += h * math.sin(2 * j * xi_p) * math.cosh(2 * j * eta_p)
        eta += h * math.cos(2 * j * xi_p) * math.sinh(2 * j * eta_p)
    return _A1 * xi * _K0, _A1 * eta * _K0 + _FALSE_EASTING
