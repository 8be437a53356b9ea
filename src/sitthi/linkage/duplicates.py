"""Duplicate registrations: one person held under two valid national IDs.

A civil registry that re-issues an ID keeps both registrations, with the same name, birth
date, sex and house; other agencies then pay under either. The model never joins two valid
IDs (relatives share a surname, a house and sometimes a birthday), so this stage decides
them on its own terms, from the two ID groups' records:

* **one person** (``merged``) when the evidence is overwhelming: the same given name and
  surname, the same full birth date, the same sex (or one missing), the same house code, and none of
  the hard-negative patterns below;
* **for a reviewer** (``review``) when it is nearly so: everything but the house or the sex
  agrees, or the given names differ by a letter with surname, birth date and house the same
  (twins are often named alike, so a spelling slip and a twin look the same here);
* **two people** otherwise.

Hard negatives: twins share surname, birth date and house but not the given name, and
their IDs are usually consecutive serials, so consecutive serials are never merged, only
reviewed; a parent and a child of the same name differ in birth date, which the join
requires to be equal. Namesakes in one district differ in birth date or house.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import dict_rows, rows, run

if TYPE_CHECKING:
    import duckdb

#: Jaro-Winkler on the similarity key above which two given names are "a letter apart".
NEAR_NAME = 0.92
#: IDs whose first 12 digits (the serial without the check digit) are this close are
#: treated as twins' IDs: issued together, at one birth registration.
TWIN_SERIALS = 2
#: A (surname, birth date) shared by more ID groups than this is a placeholder, not a person.
MAX_BUCKET = 20


def find_duplicate_registrations(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Fill ``duplicate_registrations_found`` from ``link_input`` and ``id_links``.

    One row per pair of ID groups: ``rid_l``, ``rid_r`` (the two records that show it),
    ``pid_l``, ``pid_r`` and ``decision`` (``merged`` or ``review``). Returns the number of
    pairs per decision.
    """
    run(
        con,
        f"""
        create or replace temp table duplicate_registrations_found as
        with r as (
            select li.rid, li.source, l.pid_hash, li.first_name_norm, li.first_name_key,
                   li.last_name_norm, li.birth_date, li.birth_precision, li.sex, li.house_code
            from link_input li join id_links l using (rid)
            where l.pid_hash is not null and li.last_name_norm is not null
              and li.first_name_norm is not null and li.birth_date is not null),
        buckets as (
            select last_name_norm, birth_date from r group by 1, 2
            having count(distinct pid_hash) between 2 and {MAX_BUCKET}),
        pairs as (
            select a.rid as rid_l, b.rid as rid_r, a.pid_hash as pid_l, b.pid_hash as pid_r,
                   a.first_name_norm = b.first_name_norm as same_name,
                   jaro_winkler_similarity(a.first_name_key, b.first_name_key) >= {NEAR_NAME}
                       as near_name,
                   a.birth_precision = 'day' and b.birth_precision = 'day' as full_date,
                   coalesce(a.sex = b.sex, true) as same_sex,  -- a missing sex is no clash
                   coalesce(a.house_code = b.house_code, false) as same_house,
                   a.source = b.source as same_source
            from r a
            join buckets k on k.last_name_norm = a.last_name_norm and k.birth_date = a.birth_date
            join r b on b.last_name_norm = a.last_name_norm and b.birth_date = a.birth_date
                    and a.pid_hash < b.pid_hash),
        judged as (
            select *, case
                when same_name and full_date and same_sex and same_house then 'merged'
                when same_name and full_date and (same_sex or same_house) then 'review'
                when near_name and full_date and same_sex and same_house then 'review'
                end as decision
            from pairs),
        -- shown by the two records of one agency when there are (the registry's own pair)
        best as (
            select pid_l, pid_r, min(decision) as decision,
                   arg_min(rid_l, (decision, not same_source, rid_l, rid_r)) as rid_l,
                   arg_min(rid_r, (decision, not same_source, rid_l, rid_r)) as rid_r
            from judged where decision is not null group by 1, 2),
        serials as (
            select pid_hash, any_value(try_cast(substr(national_id, 1, 12) as bigint)) as serial
            from identities
            where pid_hash in (select pid_l from best union select pid_r from best)
            group by 1)
        select b.rid_l, b.rid_r, b.pid_l, b.pid_r,
               case when abs(sl.serial - sr.serial) <= {TWIN_SERIALS} then 'review'
                    else b.decision end as decision
        from best b
        left join serials sl on sl.pid_hash = b.pid_l
        left join serials sr on sr.pid_hash = b.pid_r
        """,
    )
    found = rows(con, "select decision, count(*) from duplicate_registrations_found group by 1")
    return {str(decision): int(n) for decision, n in found}


#: The columns of the list for the civil registry, one row per pair of IDs.
LIST_COLUMNS = (
    "decision",
    "person_id",
    "national_id_l",
    "national_id_r",
    "source_l",
    "record_id_l",
    "source_r",
    "record_id_r",
    "first_name",
    "last_name",
    "birth_date",
)


def duplicate_registration_list(
    con: duckdb.DuckDBPyConnection, decision: str | None = None
) -> list[dict[str, object]]:
    """The last run's duplicate registrations with both national IDs, for DOPA to resolve.

    The IDs come from the identity table, which only the store holds: this list is for the
    civil registry under its data sharing agreement, not for a log or a screen.
    """
    return dict_rows(
        con,
        """
        with ids as (
            select pid_hash, any_value(national_id) as national_id from identities
            where pid_hash in (select pid_hash_l from duplicate_registrations
                               union select pid_hash_r from duplicate_registrations)
            group by 1)
        select d.decision, d.person_id, il.national_id as national_id_l,
               ir.national_id as national_id_r, d.source_l, d.record_id_l, d.source_r,
               d.record_id_r, s.first_name, s.last_name, s.birth_date
        from duplicate_registrations d
        left join ids il on il.pid_hash = d.pid_hash_l
        left join ids ir on ir.pid_hash = d.pid_hash_r
        -- source_records holds each record's newest version once
        left join source_records s on s.source = d.source_l and s.record_id = d.record_id_l
        where $decision is null or d.decision = $decision
        order by d.decision, d.person_id nulls last, d.source_l, d.record_id_l
        """,
        {"decision": decision},
    )
