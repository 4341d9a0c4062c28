"""Confidence intervals for batch experiments: proportions, means and clustered proportions.

Pure Python (no numpy/scipy). All intervals are two-sided 95%.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054

#: Student t 0.975 quantiles for 1..30 degrees of freedom (standard tables).
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("t975 needs at least 1 degree of freedom")
    if df <= len(_T975):
        return _T975[df - 1]
    z = Z95  # Cornish-Fisher expansion: within 1e-4 of the exact value for df > 30
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def wilson_interval(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion p observed on n (possibly effective) trials."""
    if n <= 0:
        return (0.0, 1.0)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return (low, high)


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson interval for `successes` out of `n` independent trials."""
    return wilson_interval(successes / n if n else 0.0, n)


def mean_ci(values: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """Sample mean and its t interval; a single value gets the interval (value, value)."""
    n = len(values)
    if n == 0:
        raise ValueError("mean_ci needs at least one value")
    mean = math.fsum(values) / n
    if n == 1:
        return mean, (mean, mean)
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t975(n - 1) * math.sqrt(var / n)
    return mean, (mean - half, mean + half)


def design_effect(successes: Sequence[int], trials: Sequence[int]) -> float:
    """Observed variance of the pooled proportion over its binomial variance (Kish's deff).

    Each run is a cluster of trials. Sagas in one run are not independent when capacity
    binds (one saga's booking takes the car the next one needed), which shows as
    between-run variance larger than binomial; 1.0 when it cannot be estimated.
    """
    runs, total = len(successes), sum(trials)
    if runs < 2 or total == 0:
        return 1.0
    p = sum(successes) / total
    if p in (0.0, 1.0):
        return 1.0
    spread = math.fsum((c - p * m) ** 2 for c, m in zip(successes, trials, strict=True))
    var_ratio = runs / (runs - 1) * spread / total**2
    return var_ratio / (p * (1 - p) / total)


def clustered_proportion(
    successes: Sequence[int], trials: Sequence[int]
) -> tuple[float, tuple[float, float], float]:
    """Pooled proportion over runs, its Wilson interval on the effective sample size, and deff.

    The effective size is total trials / max(1, deff): never narrower than if every trial
    were independent, wider by as much as runs disagree more than chance allows.
    """
    total = sum(trials)
    if total == 0:
        return 0.0, (0.0, 1.0), 1.0
    p = sum(successes) / total
    deff = design_effect(successes, trials)
    return p, wilson_interval(p, total / max(1.0, deff)), deff
