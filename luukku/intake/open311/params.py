"""Parsing the query and form parameters of the Open311 API, with GeoReport's rules.

An empty parameter is the same as a missing one. Every malformed value is an `ApiError` (400)
that names the parameter, never a 500 and never silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ..models import ServiceRequest
from ..selectors import RequestFilters

MAX_WINDOW = timedelta(days=90)
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
DEFAULT_RADIUS_M = 1000.0
MAX_RADIUS_M = 100_000.0
LANGUAGES = ("fi", "sv", "en")
DEFAULT_LOCALE = "en"  # the CitySDK rule; texts missing in English fall back to Finnish


class ApiError(Exception):
    """An error the client caused; rendered in GeoReport's error form with `status`."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def value(params: Mapping[str, str], name: str) -> str:
    """The stripped parameter, "" when missing or empty."""
    raw = params.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def comma_list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(part.strip() for part in value(params, name).split(",") if part.strip())
    )


def datetime_param(
    params: Mapping[str, str], name: str, *, end_of_day: bool = False
) -> datetime | None:
    """W3C datetime (with or without offset) or a plain date; naive times are local time."""
    raw = value(params, name)
    if not raw:
        return None
    parsed: datetime | None
    try:
        parsed = parse_datetime(raw.replace(" ", "+"))
        if parsed is None:
            day: date | None = parse_date(raw)
            if day is not None:
                parsed = datetime.combine(day, time.max if end_of_day else time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ApiError(400, f"{name} must be a W3C date and time, e.g. 2026-01-01T00:00:00Z.")
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        # In UTC: PostgreSQL takes offsets up to ±15:59 only, Python up to ±23:59 (+17:58
        # was a server error), and a date at the edge of the calendar may not shift at all.
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(400, f"{name} is outside the dates this server can search.") from None


def float_param(params: Mapping[str, str], name: str, low: float, high: float) -> float | None:
    raw = value(params, name)
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a number.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ApiError(400, f"{name} must be between {low:g} and {high:g}.")
    return number


def int_param(params: Mapping[str, str], name: str, default: int, high: int) -> int:
    raw = value(params, name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise ApiError(400, f"{name} must be a whole number from 1 to {high}.")
    return int(raw)


def bool_param(params: Mapping[str, str], name: str) -> bool:
    raw = value(params, name).lower()
    if raw in ("", "false", "0", "no"):
        return False
    if raw in ("true", "1", "yes"):
        return True
    raise ApiError(400, f"{name} must be true or false.")


def locale_param(params: Mapping[str, str]) -> str:
    """fi, sv or en from an ISO 639-1 locale such as en_GB or sv-FI; anything else: the default."""
    language = value(params, "locale").replace("-", "_").split("_")[0].lower()
    return language if language in LANGUAGES else DEFAULT_LOCALE


def check_jurisdiction(params: Mapping[str, str]) -> str:
    """400 when a jurisdiction is required and missing, 404 when it is not ours."""
    jurisdiction = value(params, "jurisdiction_id")
    known = [j.lower() for j in getattr(settings, "OPEN311_JURISDICTIONS", [])]
    if not jurisdiction:
        if getattr(settings, "OPEN311_JURISDICTION_REQUIRED", False):
            raise ApiError(400, "jurisdiction_id is required.")
        return ""
    if jurisdiction.lower() not in known:
        raise ApiError(404, f"Unknown jurisdiction_id: {jurisdiction}.")
    return jurisdiction


def _date_window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """GeoReport's window: at most 90 days; by default the last 90 days."""
    if start is None:
        end = end or timezone.now()
        return _shifted(end, -MAX_WINDOW), end
    if end is None:
        return start, _shifted(start, MAX_WINDOW)
    if end < start:
        raise ApiError(400, "end_date must not be before start_date.")
    if end - start > MAX_WINDOW:
        raise ApiError(400, "start_date and end_date may be at most 90 days apart.")
    return start, end


def _shifted(moment: datetime, by: timedelta) -> datetime:
    """`moment + by`, held within the calendar: 90 days before 0001-01-02 is its first day
    (the unheld sum was an OverflowError, a server error)."""
    try:
        return moment + by
    except OverflowError:
        if by < timedelta(0):
            return datetime.min.replace(tzinfo=UTC)
        return datetime.max.replace(tzinfo=UTC)


def request_filters(params: Mapping[str, str]) -> RequestFilters:
    """The filters of GET requests; service_request_id, when given, overrides all the others.

    Each parameter's own format is checked even then (a malformed value is always a 400);
    the rules between parameters (the date window, lat with long) only apply to a search.
    """
    start = datetime_param(params, "start_date")
    end = datetime_param(params, "end_date", end_of_day=True)
    updated_after = datetime_param(params, "updated_after")
    updated_before = datetime_param(params, "updated_before", end_of_day=True)
    statuses = tuple(s.lower() for s in comma_list(params, "status"))
    if any(s not in ServiceRequest.Status.values for s in statuses):
        raise ApiError(400, "status must be open or closed.")
    lat = float_param(params, "lat", -90, 90)
    long = float_param(params, "long", -180, 180)
    radius = float_param(params, "radius", 0, MAX_RADIUS_M)
    bbox = _bbox(params)

    ids = comma_list(params, "service_request_id")
    if ids:
        if len(ids) > MAX_PAGE_SIZE:
            raise ApiError(400, f"At most {MAX_PAGE_SIZE} service_request_id values at once.")
        return RequestFilters(service_request_ids=ids)

    start, end = _date_window(start, end)
    if (lat is None) != (long is None):
        raise ApiError(400, "lat and long must be given together.")
    if radius is not None and lat is None:
        raise ApiError(400, "radius needs lat and long.")
    near = None
    if lat is not None and long is not None:
        near = (lat, long, radius if radius is not None else DEFAULT_RADIUS_M)

    service_codes = comma_list(params, "service_code")
    if len(service_codes) > MAX_PAGE_SIZE:
        raise ApiError(400, f"At most {MAX_PAGE_SIZE} service_code values at once.")
    return RequestFilters(
        service_codes=service_codes,
        start=start,
        end=end,
        statuses=statuses,
        updated_after=updated_after,
        updated_before=updated_before,
        near=near,
        bbox=bbox,
        service_object_id=value(params, "service_object_id"),
        service_object_type=value(params, "service_object_type"),
        agency_responsible=value(params, "agency_responsible"),
        search=value(params, "search")[:200],
    )


def _bbox(params: Mapping[str, str]) -> tuple[float, float, float, float] | None:
    raw = value(params, "bbox")
    if not raw:
        return None
    parts = raw.split(",")
    error = ApiError(
        400, "bbox must be left,bottom,right,top in degrees, e.g. 27.6,62.8,27.8,62.9."
    )
    if len(parts) != 4:
        raise error
    try:
        left, bottom, right, top = (float(part) for part in parts)
    except ValueError:
        raise error from None
    numbers = (left, bottom, right, top)
    if not all(math.isfinite(n) for n in numbers) or left > right or bottom > top:
        raise error
    if not (
        -180 <= left <= 180 and -180 <= right <= 180 and -90 <= bottom <= 90 and -90 <= top <= 90
    ):
        raise error
    return left, bottom, right, top


def decimal_coordinate(params: Mapping[str, str], name: str, limit: int) -> Decimal | None:
    """A POSTed coordinate, rounded to the six decimals (about 10 cm) the model stores."""
    number = float_param(params, name, -limit, limit)
    if number is None:
        return None
    try:
        return Decimal(str(number)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise ApiError(400, f"{name} must be a number.") from None
