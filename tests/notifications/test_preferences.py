"""Preferences: channels per type with critical ones always on, and quiet hours and digests in the person's
own time zone, right across daylight-saving changes (Europe/Berlin, America/New_York)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from nexus360.common.errors import ValidationError
from nexus360.db import Database
from nexus360.db.engine import set_actor
from nexus360.notifications.preferences import engine
from nexus360.notifications.preferences import service as preferences
from nexus360.notifications.preferences.schemas import ChannelChoice, DeliverySettings
from tests.crm.conftest import principal
from tests.notifications.conftest import REP_ID, at

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
NIGHT = (time(22, 0), time(7, 0))


# --- quiet hours -------------------------------------------------------------------------------------------


def test_quiet_hours_end_at_seven_local_on_the_night_berlin_springs_forward() -> None:
    # 28 Mar 2026 23:30 CET; the clocks jump 02:00 -> 03:00; 07:00 CEST is 05:00 UTC (not 06:00)
    assert engine.quiet_until(at("2026-03-28 22:30"), BERLIN, *NIGHT) == at("2026-03-29 05:00")


def test_quiet_hours_end_at_seven_local_on_the_night_berlin_falls_back() -> None:
    # 24 Oct 2026 23:30 CEST; 03:00 -> 02:00; 07:00 CET is 06:00 UTC
    assert engine.quiet_until(at("2026-10-24 21:30"), BERLIN, *NIGHT) == at("2026-10-25 06:00")


def test_quiet_hours_in_new_york_around_its_own_changes() -> None:
    # 7 Mar 2026 23:00 EST (04:00 UTC on the 8th); spring forward at 02:00; 07:00 EDT is 11:00 UTC
    assert engine.quiet_until(at("2026-03-08 04:00"), NEW_YORK, *NIGHT) == at("2026-03-08 11:00")
    # 31 Oct 2026 23:00 EDT; fall back at 02:00; 07:00 EST is 12:00 UTC
    assert engine.quiet_until(at("2026-11-01 03:00"), NEW_YORK, *NIGHT) == at("2026-11-01 12:00")


def test_outside_quiet_hours_nothing_is_held() -> None:
    assert engine.quiet_until(at("2026-03-28 12:00"), BERLIN, *NIGHT) is None  # 13:00 CET
    assert engine.quiet_until(at("2026-03-28 20:59"), BERLIN, *NIGHT) is None  # a minute before 22:00 CET
    assert engine.quiet_until(at("2026-03-29 05:00"), BERLIN, *NIGHT) is None  # 07:00 CEST is the end
    assert engine.quiet_until(at("2026-03-28 13:30"), BERLIN, time(12, 0), time(14, 0)) is None  # 14:30 CET
    assert engine.quiet_until(at("2026-03-28 11:30"), BERLIN, time(12, 0), time(14, 0)) == at("2026-03-28 13:00")
    assert engine.quiet_until(at("2026-03-28 22:30"), BERLIN, None, None) is None


def test_the_same_utc_moment_is_quiet_in_one_zone_and_not_in_another() -> None:
    moment = at("2026-07-01 05:30")  # 07:30 in Berlin, 01:30 in New York
    assert engine.quiet_until(moment, BERLIN, *NIGHT) is None
    assert engine.quiet_until(moment, NEW_YORK, *NIGHT) == at("2026-07-01 11:00")


# --- the digest hour ---------------------------------------------------------------------------------------


def test_the_digest_at_eight_local_moves_an_hour_in_utc_across_berlins_spring_change() -> None:
    assert engine.next_digest(at("2026-03-27 08:00"), BERLIN, 8) == at("2026-03-28 07:00")  # CET
    assert engine.next_digest(at("2026-03-28 07:00"), BERLIN, 8) == at("2026-03-29 06:00")  # CEST


def test_a_digest_hour_the_clock_skips_comes_right_after_the_jump() -> None:
    # 02:00 does not exist in New York on 8 Mar 2026: the digest goes at 03:00 EDT (07:00 UTC)
    assert engine.next_digest(at("2026-03-07 12:00"), NEW_YORK, 2) == at("2026-03-08 07:00")


def test_a_digest_hour_the_clock_repeats_comes_once_at_its_first_occurrence() -> None:
    # 01:00 happens twice in New York on 1 Nov 2026: 05:00 UTC (EDT) and 06:00 UTC (EST)
    first = engine.next_digest(at("2026-10-31 12:00"), NEW_YORK, 1)
    assert first == at("2026-11-01 05:00")
    assert engine.next_digest(first, NEW_YORK, 1) == at("2026-11-02 06:00")


def test_an_unknown_time_zone_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="Time zone: 'Mars/Olympus' is not a time zone"):
        engine.zone("Mars/Olympus")


def acting(db, user_id: int):
    """The rolled-back notifications session, acting as that (seeded) rep."""
    session, person = db(Database.NOTIFICATIONS), principal(user_id, "sales_rep")
    set_actor(session, person)
    return session, person


# --- choices -----------------------------------------------------------------------------------------------


def test_defaults_hold_until_a_person_chooses(db) -> None:
    session, rep = acting(db, REP_ID)
    chosen = {item.type: item for item in preferences.get_preferences(session, rep).types}
    assert chosen["deal_assigned"].in_app and chosen["deal_assigned"].email
    assert chosen["deal_won"].in_app and not chosen["deal_won"].email
    assert chosen["statement_sent_back"].critical and chosen["statement_sent_back"].email
    assert preferences.get_preferences(session, rep).settings == DeliverySettings()


def test_a_person_saves_channels_zone_quiet_hours_and_digest(db) -> None:
    session, rep = acting(db, REP_ID)
    settings = DeliverySettings(timezone="Europe/Berlin", quiet_start=time(22), quiet_end=time(7), digest_hour=9)
    saved = preferences.save_preferences(session, rep, settings=settings, now=at("2026-03-28 12:00"), choices=[
        ChannelChoice(type="deal_won", in_app=False, email=True)])
    assert saved.settings == settings
    assert next(item for item in saved.types if item.type == "deal_won").model_dump(include={"in_app", "email"}) \
        == {"in_app": False, "email": True}


@pytest.mark.parametrize("critical", ["statement_sent_back", "integration_failing"])
def test_critical_messages_cannot_be_turned_off(db, critical: str) -> None:
    session, rep = acting(db, REP_ID)
    with pytest.raises(ValidationError, match="critical and cannot be turned off"):
        preferences.save_preferences(session, rep, settings=DeliverySettings(), choices=[
            ChannelChoice(type="deal_won", in_app=False, email=False),
            ChannelChoice(type=critical, in_app=True, email=False)])
    assert next(item for item in preferences.get_preferences(session, rep).types if item.type == "deal_won").in_app


@pytest.mark.parametrize(("settings", "message"), [
    (DeliverySettings(timezone="Nowhere/Land"), "Time zone"),
    (DeliverySettings(quiet_start=time(22)), "Quiet hours: give both"),
    (DeliverySettings(quiet_start=time(22), quiet_end=time(22)), "Quiet hours: the end must differ"),
])
def test_bad_settings_are_refused_by_field(db, settings: DeliverySettings, message: str) -> None:
    session, rep = acting(db, REP_ID)
    with pytest.raises(ValidationError, match=message):
        preferences.save_preferences(session, rep, settings=settings, choices=[])
    assert preferences.get_preferences(session, rep).settings == DeliverySettings()


def test_everyone_reads_and_changes_only_their_own_preferences(db) -> None:
    session, rep = acting(db, REP_ID)
    other = principal(8, "sales_rep")
    preferences.save_preferences(session, rep, settings=DeliverySettings(timezone="Asia/Tokyo"), choices=[])
    set_actor(session, other)
    assert preferences.get_preferences(session, other).settings.timezone == "UTC"
    with pytest.raises(Exception, match="permission"):
        preferences.delivery_settings(session, other, user_ids=[REP_ID])
