"""Stage 5: households, the people who live at one address.

A person's address is the civil registry's (the house registration, ทะเบียนบ้าน) when
they have a record there, otherwise the one most of their records give. People at the
same house code (รหัสประจำบ้าน, 11 digits) are one household; without a house code, the
same house number and village (หมู่) in the same subdistrict. The household ID comes
from the address itself, so it is the same in every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sitthi.engines.duckdb import one, run

if TYPE_CHECKING:
    import duckdb


def build_households(con: duckdb.DuckDBPyConnection) -> int:
    """Fill ``household_members`` (``person_id``, ``household_id``) and ``household_list``
    from ``final_links`` (``rid``, ``person_id``) and ``link_input``; returns the number
    of households."""
    run(
        con,
        """
        create or replace temp table person_address as
        with addr as (
            select f.person_id, li.id_keyed, li.house_code, li.subdistrict_code,
                   li.district_code, li.province_code,
                   case when li.house_code is not null then 'H' || li.house_code
                        when li.house_no is not null and li.subdistrict_code is not null
                        then 'A' || li.subdistrict_code || '-' || coalesce(li.moo, '')
                             || '-' || lower(regexp_replace(li.house_no, '\\s+', '', 'g'))
                   end as address_key
            from final_links f join link_input li using (rid)),
        counted as (
            select person_id, address_key, any_value(house_code) as house_code,
                   any_value(subdistrict_code) as subdistrict_code,
                   any_value(district_code) as district_code,
                   any_value(province_code) as province_code,
                   bool_or(id_keyed) as registered, count(*) as n
            from addr where address_key is not null group by 1, 2)
        select * from (
            select *, row_number() over (
                partition by person_id order by registered desc, n desc, address_key) as k
            from counted)
        where k = 1
        """,
    )
    run(
        con,
        """
        create or replace temp table household_list as
        select 'HH' || substr(md5(address_key), 1, 16) as household_id, address_key,
               any_value(house_code) as house_code, any_value(province_code) as province_code,
               any_value(district_code) as district_code,
               any_value(subdistrict_code) as subdistrict_code, count(*) as members
        from person_address group by address_key
        """,
    )
    run(
        con,
        """
        create or replace temp table household_members as
        select p.person_id, h.household_id
        from person_address p join household_list h using (address_key)
        """,
    )
    return int(one(con, "select count(*) from household_list"))
