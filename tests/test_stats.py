"""Confidence intervals on cases with known answers."""

import math

import pytest

from sim.batch.stats import (
    clustered_proportion,
    design_effect,
    mean_ci,
    t975,
    wilson,
    wilson_interval,
)


def test_wilson_matches_published_values():
    # Two-sided 95% Wilson score intervals as tabulated in textbooks (e.g. Newcombe 1998).
    low, high = wilson(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)


def test_wilson_at_all_successes_stays_below_one_only_at_the_low_end():
    low, high = wilson(1000, 1000)
    assert high == 1.0
    assert 0.995 < low < 1.0


def test_wilson_without_trials_is_the_whole_range():
    assert wilson(0, 0) == (0.0, 1.0)


def test_t_quantiles_from_the_table_and_beyond():
    assert t975(1) == 12.706
    assert t975(30) == 2.042
    assert t975(60) == pytest.approx(2.0003, abs=1e-3)
    assert t975(120) == pytest.approx(1.9799, abs=1e-3)
    assert t975(10**6) == pytest.approx(1.96, abs=1e-3)


def test_mean_ci_of_one_to_five():
    mean, (low, high) = mean_ci([1, 2, 3, 4, 5])
    half = 2.776 * math.sqrt(2.5 / 5)
    assert mean == 3
    assert (low, high) == pytest.approx((3 - half, 3 + half))


def test_mean_ci_of_a_single_value_is_that_value():
    assert mean_ci([0.25]) == (0.25, (0.25, 0.25))


def test_runs_that_agree_exactly_get_the_plain_wilson_interval():
    p, ci, deff = clustered_proportion([5] * 10, [10] * 10)
    assert p == 0.5
    assert deff == 0.0
    assert ci == pytest.approx(wilson(50, 100))


def test_all_or_nothing_runs_count_as_one_trial_each():
    successes = [0, 10] * 5
    p, ci, deff = clustered_proportion(successes, [10] * 10)
    # var of the ratio: 10/9 * 10 * 25 / 100**2; binomial var: 0.25 / 100
    assert deff == pytest.approx((10 / 9 * 250 / 10_000) / 0.0025)
    assert ci == pytest.approx(wilson_interval(0.5, 100 / deff))
    assert ci[1] - ci[0] > 2 * (wilson(50, 100)[1] - wilson(50, 100)[0])


def test_design_effect_is_one_where_it_cannot_be_estimated():
    assert design_effect([3], [10]) == 1.0
    assert design_effect([0, 0, 0], [10, 10, 10]) == 1.0
    assert design_effect([10, 10], [10, 10]) == 1.0


def test_clustered_proportion_pools_runs_of_different_sizes():
    p, _, _ = clustered_proportion([1, 9], [10, 30])
    assert p == 10 / 40
