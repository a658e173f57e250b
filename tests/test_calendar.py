import numpy as np
import pytest

from chainsim.core.calendar import NATIONAL_EVENTS, Calendar, Month


def test_month_arithmetic():
    m = Month.parse("2014-11")
    assert str(m.plus(2)) == "2015-01"
    assert m.plus(2).minus(m) == 2
    assert Month(2012, 1) < Month(2012, 2)
    with pytest.raises(ValueError):
        Month.parse("2014/11")
    with pytest.raises(ValueError):
        Month(2014, 13)


def test_default_calendar_is_sixty_months_observed_in_november_2014():
    cal = Calendar()
    assert cal.n_months == 60
    assert str(cal.months[cal.observed_index]) == "2014-11"
    with pytest.raises(ValueError):
        Calendar(Month(2012, 1), Month(2013, 1), Month(2014, 11))


def test_deadline_pressure_builds_up_to_2015_and_halves_after():
    cal = Calendar()
    d = cal.drivers.deadline
    before = cal.index(Month(2014, 12))
    assert d[0] == 0 and d[before] == pytest.approx(1.0)
    assert np.all(np.diff(d[: before + 1]) >= 0)
    assert d[cal.index(Month(2015, 6))] == pytest.approx(0.5)


def test_elections_fall_in_march_2014_and_every_event_cites_a_source():
    cal = Calendar()
    assert [str(cal.months[i]) for i in np.flatnonzero(cal.drivers.elections)] == ["2014-03"]
    assert all(e.source for e in NATIONAL_EVENTS)
