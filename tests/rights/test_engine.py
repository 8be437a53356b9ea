"""Entitlements and gaps on the linked synthetic world, against the planted welfare errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sitthi.engines.duckdb import rows
from sitthi.linkage.service import LinkReport
from sitthi.registry.golden import build_golden
from sitthi.registry.profile import build_profiles
from sitthi.registry.rules import load_rules
from sitthi.rights.engine import compute_rights
from sitthi.rights.notifications import build_notifications
from sitthi.rights.programme import load_programmes


@pytest.mark.parametrize("gap", ["paid_twice", "paid_after_death"])
def test_payment_gaps_match_the_planted_errors(rights_store, gap: str) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    ((found, true, hit),) = rows(
        con,
        """select (select count(*) from gaps where gap = $g),
                  (select count(*) from truth_gaps where gap = $g),
                  (select count(*) from gaps g join truth_gaps t using (person_id, programme, gap)
                   where g.gap = $g)""",
        {"g": gap},
    )
    assert true > 0
    assert hit / found >= 0.95
    assert hit / true >= 0.95


def test_every_planted_exclusion_is_found(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, result = rights_store
    ((true, hit),) = rows(
        con,
        """select count(*), count(g.person_id) from truth_gaps t
           left join gaps g using (person_id, programme, gap)
           where t.gap = 'eligible_not_receiving'""",
    )
    assert hit / true >= 0.95
    assert result.entitled["old_age_allowance"] > 0


def test_inclusion_gaps_name_the_failed_condition(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    details = rows(con, "select distinct detail from gaps where gap = 'receiving_not_eligible'")
    assert details
    names = {n for (d,) in details for n in d.split(",")}
    conditions = {c for p in load_programmes().values() for c in p.eligibility}
    assert names <= conditions


REASONS = {"not_in_store", "linkage", "unknown_data", "rule"}


def test_evaluation_explains_every_miss(rights_store, world: Path) -> None:  # type: ignore[no-untyped-def]
    from sitthi.rights.evaluate import evaluate_gaps

    con, _ = rights_store
    truth = world / "truth"
    results = evaluate_gaps(con, truth / "welfare_errors.csv")
    assert results
    for r in results:
        assert r.planted - r.correct == sum(r.missed.values())
        assert r.found - r.correct == sum(r.extra.values())
        assert set(r.missed) | set(r.extra) <= REASONS
    twice = next(r for r in results if r.programme == "old_age_allowance" and r.gap == "paid_twice")
    assert twice.recall >= 0.95
    # With the linkage truth every difference is traced to a linkage or ingest error: the
    # rules and the data never disagree with the planted truth.
    traced = evaluate_gaps(con, truth / "welfare_errors.csv", truth / "linkage_truth.csv")
    assert {(r.programme, r.gap) for r in traced} >= {
        (p, g)
        for p in ("old_age_allowance", "disability_allowance")
        for g in ("eligible_not_receiving", "receiving_not_eligible")
    }
    for r in traced:
        assert r.missed.get("rule", 0) == 0, r
        assert r.extra.get("rule", 0) == 0, r
        if r.planted >= 10:  # a small world plants a handful of some kinds
            assert r.recall >= 0.95, r
            assert r.precision >= 0.9, r


def test_a_right_that_began_after_the_last_pay_month_is_not_yet_missed(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    ((new, flagged),) = rows(
        con,
        """with last as (select max(month) as day from payments
                         where programme = 'old_age_allowance' and source <> 'profile')
           select count(*), count(g.person_id)
           from eligibility e join persons p using (person_id), last
           left join gaps g on g.person_id = e.person_id and g.programme = e.programme
                           and g.gap = 'eligible_not_receiving'
           where e.programme = 'old_age_allowance' and e.eligible
             and date_sub('year', p.birth_date, last.day) < 60""",
    )
    assert new > 0  # people who turned 60 since the last pay month
    assert flagged == 0


def test_each_payment_is_judged_on_the_month_it_paid_for(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    ((expired_since, flagged),) = rows(
        con,
        """with last as (select person_id, max(month) as day from payments
                         where programme = 'disability_allowance' group by 1)
           select count(*), count(g.person_id)
           from last join persons p using (person_id)
           left join gaps g on g.person_id = p.person_id
                           and g.programme = 'disability_allowance'
                           and g.gap = 'receiving_not_eligible'
           where p.disability_card_expiry between last.day and date '2026-10-01'""",
    )
    assert expired_since > 0  # cards that expired after the last month paid for
    assert flagged == 0


def test_gaps_resting_on_an_unloaded_roll_are_marked_and_held(
    linked: tuple[Path, LinkReport], world: Path, copy_of
) -> None:  # type: ignore[no-untyped-def]
    con = copy_of(linked[0])
    rules = load_rules()
    # As if CGD's roll were not loaded: only the pensioners it lists are known.
    pension = rules.fields["government_pension"].model_copy(update={"absent": None})
    build_golden(
        con, rules.model_copy(update={"fields": {**rules.fields, "government_pension": pension}})
    )
    as_of = dt.date.fromisoformat(
        json.loads((world / "manifest.json").read_text(encoding="utf-8"))["as_of"]
    )
    build_profiles(con, as_of)
    programmes = load_programmes()
    compute_rights(con, programmes, as_of)
    build_notifications(con, programmes)
    ((gaps, marked, held),) = rows(
        con,
        """select count(*), count(*) filter (contains(g.unknown, 'government_pension')),
                  count(*) filter (n.status = 'check_first')
           from gaps g join notifications n using (person_id, programme, gap)
           where g.programme = 'old_age_allowance' and g.gap = 'eligible_not_receiving'""",
    )
    assert gaps > 0
    assert marked == gaps
    assert held == gaps


def test_entitlements_say_why(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    ((reason, amount),) = rows(
        con,
        """select e.reason, e.amount from entitlements e join profiles p using (person_id)
           where e.programme = 'old_age_allowance' and p.age between 70 and 79 limit 1""",
    )
    assert amount == 700
    assert "age=7" in reason
    assert "government_pension=false" in reason
    assert rows(con, "select count(*) from entitlements where reason is null") == [(0,)]


def test_a_day_after_the_lists_end_is_judged_on_their_last_month(
    linked: tuple[Path, LinkReport], world: Path, copy_of
) -> None:  # type: ignore[no-untyped-def]
    con = copy_of(linked[0])
    build_golden(con, load_rules())
    late = dt.date(2027, 3, 1)  # five months after the synthetic lists end
    build_profiles(con, late)
    result = compute_rights(con, load_programmes(), late)
    assert result.lists_end["old_age_allowance"] == dt.date(2026, 9, 1)
    # Paid in the last month the lists cover: receiving, not a missed right.
    ((paid_then_missed,),) = rows(
        con,
        """select count(*) from gaps g join payments p using (person_id, programme)
           where g.gap = 'eligible_not_receiving' and p.month = date '2026-09-01'""",
    )
    assert paid_then_missed == 0
    assert (
        result.gaps[("old_age_allowance", "eligible_not_receiving")]
        < 0.2 * (result.entitled["old_age_allowance"])
    )


def test_a_day_before_the_payments_sees_none_of_them(
    linked: tuple[Path, LinkReport], copy_of
) -> None:  # type: ignore[no-untyped-def]
    con = copy_of(linked[0])
    build_golden(con, load_rules())
    early = dt.date(2025, 1, 1)
    build_profiles(con, early)
    result = compute_rights(con, load_programmes(), early)
    assert "old_age_allowance" not in result.lists_end
    allowances = {gap for (programme, gap) in result.gaps if programme != "state_welfare_card"}
    assert allowances == set()


def test_a_welfare_card_still_active_after_a_death_is_a_gap(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    ((dead_holders, flagged, with_amount),) = rows(
        con,
        """select count(*), count(g.person_id), count(g.amount)
           from profiles p left join gaps g on g.person_id = p.person_id
               and g.programme = 'state_welfare_card' and g.gap = 'paid_after_death'
           where p.welfare_card and p.death_date is not null""",
    )
    assert dead_holders > 0
    assert flagged == dead_holders
    assert with_amount == 0  # the credit lapses: cancel the card, nothing to recover
    ((inclusion_baht,),) = rows(
        con,
        """select min(amount) from gaps
           where programme = 'state_welfare_card' and gap = 'receiving_not_eligible'""",
    )
    assert inclusion_baht in (200, 300)


def test_every_gap_has_one_thai_notice_for_the_right_reader(rights_store) -> None:  # type: ignore[no-untyped-def]
    con, _ = rights_store
    programmes = load_programmes()
    assert build_notifications(con, programmes) == rows(con, "select count(*) from gaps")[0][0]
    notices = {
        (programme, gap): (recipient, message)
        for programme, gap, recipient, message in rows(
            con,
            """select programme, gap, recipient, any_value(message_th)
               from notifications group by all""",
        )
    }
    recipient, message = notices[("old_age_allowance", "eligible_not_receiving")]
    assert recipient == "person"
    assert "เบี้ยยังชีพผู้สูงอายุ" in message
    assert "1300" in message
    assert "บาท" in message
    recipient, message = notices[("old_age_allowance", "paid_after_death")]
    assert recipient == "payer"
    assert "เรียกคืน" in message
    assert "พ.ศ." not in message
    assert "25" in message
    recipient, message = notices[("state_welfare_card", "paid_after_death")]
    assert "ยกเลิกบัตร" in message
    assert "เรียกคืน" not in message
    _, message = notices[("state_welfare_card", "receiving_not_eligible")]
    assert "ไม่เข้าเงื่อนไข (" in message
    assert rows(con, "select count(*) from notifications where message_th is null") == [(0,)]
