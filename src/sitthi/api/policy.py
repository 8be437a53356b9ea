"""What of a person a caller may see: their role's fields, or their agreement's.

A case worker sees everyone of their areas with sensitive fields masked until revealed;
an agency's system sees only the fields, areas and population of a DSA in force today.
Anything else is refused before any data is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sitthi.api.auth import Principal
from sitthi.api.problems import Problem
from sitthi.operations.accounts import get_dsa
from sitthi.operations.dsa import ALL_AREAS, REGISTRY_FIELDS, DataSharingAgreement
from sitthi.operations.roles import Role, area_covers
from sitthi.operations.store import OperationsStore
from sitthi.registry.access import MASKED_FOR_CASEWORKERS
from sitthi.registry.lists import ListScope

#: Never part of a person's answer: the real ID (exports only, under real_ids) and the
#: pseudonym (an internal key).
NEVER_SHOWN = frozenset({"national_id", "pid_hash"})


@dataclass(frozen=True)
class View:
    allowed: frozenset[str]
    masked: frozenset[str]
    dsa: DataSharingAgreement | None = None

    def areas(self, caller: Principal) -> tuple[str, ...]:
        """The areas the caller reaches (empty: the whole country): their own, and under an
        agreement only where their own and the agreement's meet (a client may be given
        fewer areas than its agreement names)."""
        if self.dsa is None:
            return caller.areas
        if ALL_AREAS in self.dsa.areas:
            return caller.areas
        if not caller.areas:
            return tuple(self.dsa.areas)
        return meeting(caller.areas, self.dsa.areas)

    def covers(
        self,
        caller: Principal,
        area: dict[str, str | None],
        in_population: Callable[[Sequence[str], Sequence[str]], bool],
    ) -> bool:
        """Whether the caller may see a person living in ``area``: their areas, and for an
        agreement its population too (``in_population(groups, programmes)``: whether the
        person is of one of the groups or entitled to one of the programmes)."""
        codes = [c for c in area.values() if c]
        reach = self.areas(caller)
        if self.dsa is not None and self.dsa.areas != [ALL_AREAS] and not reach:
            return False  # the client's areas and the agreement's do not meet
        if reach and not any(area_covers(scope, c) for scope in reach for c in codes):
            return False
        if self.dsa is None:
            return bool(reach)
        population = self.dsa.population
        return in_population(population.groups, population.programmes)


def meeting(ours: Sequence[str], theirs: Sequence[str]) -> tuple[str, ...]:
    """Where two lists of areas meet: the smaller of each pair that nests.

    Example:
        >>> meeting(("84", "10"), ("8401", "50"))
        ('8401',)
    """
    found = {
        b if area_covers(a, b) else a
        for a in ours
        for b in theirs
        if area_covers(a, b) or area_covers(b, a)
    }
    return tuple(sorted(found))


def view_for(caller: Principal, operations: OperationsStore, today: dt.date) -> View:
    """The fields ``caller`` may see of a person, or a 403 problem."""
    fields = frozenset(REGISTRY_FIELDS) - NEVER_SHOWN
    if caller.role is Role.CASEWORKER:
        if not caller.areas:
            raise _forbidden("ไม่มีพื้นที่รับผิดชอบ", "no assigned areas")
        return View(fields, MASKED_FOR_CASEWORKERS)
    if caller.role is Role.AGENCY:
        dsa = get_dsa(operations, caller.dsa_id) if caller.dsa_id else None
        if dsa is None:
            raise _forbidden("ไม่มีข้อตกลงแบ่งปันข้อมูล", "no data sharing agreement")
        if not dsa.is_valid_on(today):
            raise _forbidden(
                f"ข้อตกลง {dsa.id} ไม่มีผลในวันนี้ ({dsa.valid_from} ถึง {dsa.valid_to})",
                f"agreement {dsa.id} is not in force today ({dsa.valid_from} to {dsa.valid_to})",
            )
        return View(frozenset(dsa.fields) - NEVER_SHOWN, frozenset(), dsa)
    raise _forbidden("บทบาทนี้ไม่เห็นข้อมูลรายบุคคล", "this role never sees a person")


def list_scope(view: View, caller: Principal, area: str) -> ListScope:
    """What of an area's list the caller may receive: the fields they see unmasked, their
    areas (or their agreement's), its population, and real IDs only if it allows them.

    A list of an area that does not meet the caller's own is refused; one larger than
    theirs holds only their part.
    """
    dsa = view.dsa
    groups: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    areas = view.areas(caller)
    if dsa is not None and ALL_AREAS not in dsa.areas and not areas:
        raise _forbidden("พื้นที่ของท่านไม่อยู่ในข้อตกลง", "your areas lie outside your agreement")
    if dsa is None:
        fields = view.allowed - view.masked
        real_ids = False
    else:
        # the key column an agreement names: the pseudonym, or the real ID under real_ids
        fields = frozenset(dsa.fields)
        real_ids = dsa.real_ids
        if "all" not in dsa.population.groups:
            groups, programmes = tuple(dsa.population.groups), tuple(dsa.population.programmes)
    if areas and not any(area_covers(a, area) or area_covers(area, a) for a in areas):
        raise _forbidden("พื้นที่นี้อยู่นอกพื้นที่ของท่าน", "this area is outside your areas")
    return ListScope(fields, real_ids, groups, programmes, tuple(areas))


def _forbidden(th: str, en: str) -> Problem:
    return Problem(403, "forbidden", th, en)
