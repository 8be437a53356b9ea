"""``sitthi thai``: check one Thai identity value by hand (ID, name, date, area, house code)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Check Thai identity values: national IDs, names, dates, areas.", no_args_is_help=True
)


@app.command("id")
def national_id(
    values: Annotated[list[str], typer.Argument(help="One or more national IDs.")],
) -> None:
    """Validate national IDs; for an invalid one, list the valid IDs one typo away."""
    from sitthi.thai.national_id import format_national_id, parse_national_id, repair_candidates

    for raw in values:
        p = parse_national_id(raw)
        if p.valid and p.canonical:
            typer.echo(f"{raw}\tvalid\t{format_national_id(p.canonical)}\t{p.category}")
        else:
            candidates = repair_candidates(raw)
            extra = f"\tone typo away: {', '.join(candidates)}" if candidates else ""
            typer.echo(f"{raw}\tinvalid ({p.reason}){extra}")


@app.command("name")
def name(
    values: Annotated[list[str], typer.Argument(help="Full names, e.g. 'น.ส.สมศรี ใจดี'.")],
) -> None:
    """Split full names into titles, first and last name, with phonetic keys."""
    from sitthi.thai.names import normalize_name, parse_full_name
    from sitthi.thai.phonetic import phonetic_key

    for raw in values:
        p = parse_full_name(raw)
        key = f"{normalize_name(p.first_name)}/{phonetic_key(p.first_name)}"
        typer.echo(
            f"{raw}\ttitles={'+'.join(p.titles) or '-'}\tfirst={p.first_name}"
            f"\tlast={p.last_name}\tsex={p.sex_hint or '-'}\tkey={key}"
        )


@app.command("date")
def date(
    values: Annotated[
        list[str], typer.Argument(help="Dates, e.g. '25/03/2490' or '25 มี.ค. 2490'.")
    ],
) -> None:
    """Parse Thai dates (BE or CE, Thai month names, partial dates)."""
    from sitthi.thai.dates import parse_thai_date

    for raw in values:
        p = parse_thai_date(raw)
        if p.value:
            typer.echo(f"{raw}\t{p.value.iso()}\tprecision={p.value.precision}\tera={p.value.era}")
        else:
            typer.echo(f"{raw}\tinvalid ({p.reason})")


@app.command("area")
def area(
    subdistrict: Annotated[
        str | None, typer.Option("--subdistrict", "-s", help="ตำบล/แขวง")
    ] = None,
    district: Annotated[str | None, typer.Option("--district", "-d", help="อำเภอ/เขต")] = None,
    province: Annotated[str | None, typer.Option("--province", "-p", help="จังหวัด")] = None,
) -> None:
    """Resolve area names to DOPA codes (data: geothai, CC BY 4.0)."""
    from sitthi.thai.areas import area_names, resolve_area

    m = resolve_area(subdistrict=subdistrict, district=district, province=province)
    code = m.subdistrict_code or m.district_code or m.province_code
    names = " / ".join(area_names(code)) if code else "-"
    typer.echo(f"{code or '-'}\t{names}\texact={m.exact}\t{m.reason or 'ok'}")


@app.command("house")
def house(values: Annotated[list[str], typer.Argument(help="House codes (รหัสประจำบ้าน).")]) -> None:
    """Validate 11-digit house codes."""
    from sitthi.thai.house import parse_house_code

    for raw in values:
        code, reason = parse_house_code(raw)
        typer.echo(f"{raw}\t{code or '-'}\t{reason or 'ok'}")
