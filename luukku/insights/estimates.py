"""Weighted estimates with 95 % confidence intervals: mean, share (CSAT %) and NPS.

Every estimate is a weighted mean of a per-respondent value (the score, a 0/1 indicator, or the
NPS contribution +1/0/−1), so one formula serves all three: the linearised (Taylor) standard error
of a ratio mean, sqrt(Σw²(y−ȳ)²)/Σw · sqrt(n/(n−1)), with a t quantile on n − 1 degrees of
freedom; a share's interval is Wilson's on the effective sample size that SE implies, so it
stays inside 0–100 % and is not empty at 100 %. Unweighted estimates use weights of 1. The
query layer computes the same sums per group in SQL and builds the estimate with
`Estimate.from_sums`, so pages and pandas agree.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95 % interval; None where there is nothing to estimate."""

    value: float | None
    low: float | None
    high: float | None
    n: int  # respondents
    effective_n: float  # Kish's effective sample size, (Σw)²/Σw²

    @property
    def margin(self) -> float | None:
        """Half the interval's width (the "±" figure)."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    @classmethod
    def from_sums(
        cls,
        sum_w: float,
        sum_wy: float,
        sum_wyy: float,
        sum_ww: float,
        n: float,
        *,
        sum_wwy: float | None = None,
        sum_wwyy: float | None = None,
        scale: float = 1.0,
        bounds: tuple[float, float] | None = None,
        proportion: bool = False,
    ) -> Estimate:
        """The estimate from per-group sums (Σw, Σwy, Σwy², Σw², respondents).

        With Σw²y and Σw²y² as well the interval is the exact linearised one (what
        `weighted_mean` gives). Without them it uses Kish's approximation, the weighted variance
        over the effective sample size, which is exact for equal weights and close otherwise.
        `scale` multiplies the value and interval (100 for percentages); `bounds` clip the
        interval to the possible range. `proportion` (y is 0 or 1) gives a Wilson interval on the
        effective sample size instead, which stays sensible near 0 % and 100 %: 5 satisfied out
        of 5 is not "100 % ± 0".
        """
        sum_w, sum_wy, sum_wyy, sum_ww = float(sum_w), float(sum_wy), float(sum_wyy), float(sum_ww)
        count = int(round(n))
        if count <= 0 or sum_w <= 0:
            return cls(None, None, None, max(count, 0), 0.0)
        mean = sum_wy / sum_w
        effective = sum_w**2 / sum_ww if sum_ww > 0 else 0.0
        if count < 2:
            return cls(mean * scale, None, None, count, effective)
        if sum_wwy is not None and sum_wwyy is not None:
            # Σw²(y−ȳ)² expanded into the sums.
            squared = sum_wwyy - 2 * mean * sum_wwy + mean**2 * sum_ww
        else:
            weighted_variance = max(sum_wyy / sum_w - mean**2, 0.0)
            squared = weighted_variance * sum_ww
        standard_error = math.sqrt(max(squared, 0.0)) / sum_w * math.sqrt(count / (count - 1))
        quantile = t_quantile(count - 1)
        if proportion:
            low, high = _wilson(mean, standard_error, effective, quantile)
        else:
            low, high = mean - quantile * standard_error, mean + quantile * standard_error
        low, high = low * scale, high * scale
        if bounds is not None:
            low, high = max(low, bounds[0]), min(high, bounds[1])
        return cls(mean * scale, low, high, count, effective)


def weighted_mean(
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    counts: npt.ArrayLike | None = None,
) -> Estimate:
    """The weighted mean of `values`; `counts` when each row stands for several respondents
    with the same value and weight (aggregated cells). Missing values (NaN) are left out."""
    return _estimate(values, weights, counts)


def weighted_share(
    indicator: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    counts: npt.ArrayLike | None = None,
) -> Estimate:
    """The weighted percentage (0–100) of respondents for whom `indicator` is true (CSAT %)."""
    values = np.asarray(indicator, dtype=np.float64)
    return _estimate(values, weights, counts, scale=100.0, bounds=(0.0, 100.0), proportion=True)


def net_promoter(
    scores: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    *,
    counts: npt.ArrayLike | None = None,
) -> Estimate:
    """NPS (−100..100) from 0–10 scores: % promoters (9–10) − % detractors (0–6).

    The interval is the multinomial one: the variance of the +1/0/−1 contributions is
    p₊ + p₋ − (p₊ − p₋)², which the mean's linearised variance computes.
    """
    values = promoter_contribution(np.asarray(scores, dtype=np.float64))
    return _estimate(values, weights, counts, scale=100.0, bounds=(-100.0, 100.0))


def promoter_contribution(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """+1 for a promoter, −1 for a detractor, 0 for a passive (NaN stays NaN): the value whose
    mean × 100 is the NPS, for callers that aggregate it in SQL."""
    return np.where(scores >= 9, 1.0, np.where(scores <= 6, -1.0, 0.0)) + scores * 0


def _estimate(
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None,
    counts: npt.ArrayLike | None,
    *,
    scale: float = 1.0,
    bounds: tuple[float, float] | None = None,
    proportion: bool = False,
) -> Estimate:
    y = np.asarray(values, dtype=np.float64)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=np.float64)
    c = np.ones_like(y) if counts is None else np.asarray(counts, dtype=np.float64)
    if w.shape != y.shape or c.shape != y.shape:
        raise ValueError("Values, weights and counts need one figure per row.")
    if (w < 0).any() or (c < 0).any():
        raise ValueError("Weights and counts cannot be negative.")
    keep = ~np.isnan(y)
    y, w, c = y[keep], w[keep], c[keep]
    cw = c * w
    cww = cw * w
    return Estimate.from_sums(
        float(cw.sum()),
        float(np.dot(cw, y)),
        float(np.dot(cw, y * y)),
        float(cww.sum()),
        float(c.sum()),
        sum_wwy=float(np.dot(cww, y)),
        sum_wwyy=float(np.dot(cww, y * y)),
        scale=scale,
        bounds=bounds,
        proportion=proportion,
    )


def _wilson(
    share: float, standard_error: float, effective_n: float, quantile: float
) -> tuple[float, float]:
    """Wilson's score interval with the design-based effective n, p(1 − p)/SE² (Kish's n when
    every answer is the same and the standard error is 0)."""
    variance = share * (1 - share)
    size = variance / standard_error**2 if standard_error > 0 and variance > 0 else effective_n
    q2 = quantile**2 / size
    centre = (share + q2 / 2) / (1 + q2)
    half = quantile / (1 + q2) * math.sqrt(variance / size + q2 / (4 * size))
    return max(centre - half, 0.0), min(centre + half, 1.0)


@functools.lru_cache(maxsize=4096)
def t_quantile(degrees_of_freedom: int) -> float:
    """Student's t quantile for the confidence level. scipy's `t.ppf` costs ~0.1 ms a call and a
    dashboard asks for thousands of groups, mostly with the same few n: cache and use stdtrit."""
    return float(special.stdtrit(degrees_of_freedom, (1 + CONFIDENCE) / 2))
