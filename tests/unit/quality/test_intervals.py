import pytest
from hypothesis import given
from hypothesis import strategies as st

from codejury.quality.intervals import wilson_interval


def test_wilson_matches_hand_computation():
    # p = 0.8, z = 1.959964: centre 0.716743, half-width 0.226575
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.490162, abs=1e-5)
    assert high == pytest.approx(0.943318, abs=1e-5)


def test_wilson_edges():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and 0 < high < 0.2
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and 0.8 < low < 1


@pytest.mark.parametrize(("k", "n", "level"), [(-1, 3, 0.95), (4, 3, 0.95), (1, 3, 1.0)])
def test_wilson_refuses_nonsense(k, n, level):
    with pytest.raises(ValueError):
        wilson_interval(k, n, level)


@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_estimate_and_stays_in_unit_interval(case):
    k, n = case
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_widens_with_confidence(case):
    k, n = case
    narrow, wide = wilson_interval(k, n, 0.8), wilson_interval(k, n, 0.99)
    assert wide[0] <= narrow[0] and narrow[1] <= wide[1]
