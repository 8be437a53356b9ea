"""``sitthi rights`` and ``sitthi report poverty``: the registry, rights and the poverty index."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from sitthi.cli.options import DbOption, input_file, parse_date_option

report_app = typer.Typer(help="Reports on the store.", no_args_is_help=True)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="The day to evaluate (YYYY-MM-DD; default: today).")
]


def rights(
    as_of: AsOfOption = None,
    programmes: Annotated[
        list[Path] | None,
        typer.Option(
            "--programmes",
            help="Programme YAML files, or folders of them, added to the built-in ones "
            "(a file with a built-in's id replaces it). Repeat for several.",
        ),
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(help="Survivorship rules (default: the packaged ones).")
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            help="Welfare errors to check the gaps against (programme,error_type,national_id)."
        ),
    ] = None,
    linkage_truth: Annotated[
        Path | None,
        typer.Option(
            help="Linkage truth (source,record_id,person_id), to name gaps a linkage error "
            "explains; default: linkage_truth.csv beside --truth, if there."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Golden records, profiles, entitlements, gaps, notices and the poverty index.

    Answers TPMAP's four questions for the day given: who should receive welfare, what
    recipients look like, whether they are appropriate, and whom targeting misses.
    """
    import datetime as dt

    from sitthi.cli.progress import steps
    from sitthi.cli.render import console
    from sitthi.cli.render_rights import print_tpmap_answers
    from sitthi.config import get_settings
    from sitthi.context import Context
    from sitthi.rights.service import STEPS, run_rights

    settings = get_settings()
    day = parse_date_option(as_of, "--as-of") or dt.date.today()
    for option, path in (
        ("--truth", truth),
        ("--linkage-truth", linkage_truth),
        ("--rules", rules),
    ):
        input_file(path, option)
    for folder in programmes or ():
        input_file(folder, "--programmes", folder=True)
    links = None
    if truth is not None:
        from sitthi.rights.evaluate import check_truth_files
        from sitthi.rights.programme import load_programmes

        beside = truth.parent / "linkage_truth.csv"
        links = linkage_truth or (beside if beside.exists() else None)
        check_truth_files(truth, links, set(load_programmes(*(programmes or ()))))
    con = Context(settings=settings, db=db).store(must_exist=True)
    with steps("rights", total=STEPS) as step:
        report = run_rights(
            con, day, programme_dirs=tuple(programmes or ()), rules=rules, progress=step
        )
    print_tpmap_answers(report)
    if truth is not None:
        from sitthi.cli.render_rights import print_gap_accuracy
        from sitthi.rights.evaluate import evaluate_gaps

        print_gap_accuracy(evaluate_gaps(con, truth, links), report)
    console.print(
        f"tables: persons, conflicts, profiles, entitlements, payments, gaps, notifications, "
        f"household_poverty, person_poverty ({report.seconds:.1f} s)"
    )


@report_app.command("poverty")
def poverty(
    level: Annotated[str, typer.Option(help="province, district or subdistrict.")] = "province",
    within: Annotated[
        str | None, typer.Option(help="Only inside this area code (e.g. a province, 30).")
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            help="area (poor households and persons), dimension (poor households failing "
            "each of the 5) or indicator (households failing each of the 17)."
        ),
    ] = "area",
    limit: Annotated[int, typer.Option(min=1, help="How many areas to show, poorest first.")] = 20,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Also write every row (no limit) to this CSV.")
    ] = None,
    db: DbOption = None,
) -> None:
    """The poverty index (TPMAP, จปฐ. 17 indicators) by area, dimension or indicator.

    Reads what the last `sitthi rights` wrote to the store.
    """
    from sitthi.cli.render_rights import (
        print_poverty,
        print_poverty_dimensions,
        print_poverty_indicators,
    )
    from sitthi.context import Context
    from sitthi.csv_header import write_csv
    from sitthi.errors import ValidationError
    from sitthi.poverty.report import (
        Level,
        check_area,
        poverty_by_area,
        poverty_by_indicator,
        require_poverty,
    )

    if level not in ("province", "district", "subdistrict"):
        raise ValidationError(f"--level must be province, district or subdistrict, not {level!r}")
    if by not in ("area", "dimension", "indicator"):
        raise ValidationError(f"--by must be area, dimension or indicator, not {by!r}")
    con = Context(db=db).store(read_only=True)
    require_poverty(con)
    area = cast("Level", level)  # checked just above
    if within is not None:
        check_area(con, area, within)
    rows = (
        poverty_by_indicator(con, area, within)
        if by == "indicator"
        else poverty_by_area(con, area, within)
    )
    if by == "indicator":
        print_poverty_indicators(rows, within)
    elif by == "dimension":
        print_poverty_dimensions(rows[:limit], area)
    else:
        print_poverty(rows[:limit], area)
    if csv is not None:
        write_csv(rows, csv)
        typer.echo(f"{len(rows):,} rows: {csv}")


@report_app.command("quality")
def quality(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for quality.html and quality.json.")
    ] = Path("."),
    db: DbOption = None,
) -> None:
    """The data quality report (HTML, Thai first, and JSON): completeness, duplicates,
    disagreements between agencies, overlap between lists, linkage results per stage."""
    from sitthi.context import Context
    from sitthi.errors import ValidationError
    from sitthi.quality.report import build_quality_report, write_html, write_json

    if (out.exists() and not out.is_dir()) or out.suffix.lower() in (".html", ".json"):
        raise ValidationError(
            f"--out {out}: give a folder; quality.html and quality.json are written in it"
        )
    con = Context(db=db).store(read_only=True)
    report = build_quality_report(con)
    write_json(report, out / "quality.json")
    write_html(report, out / "quality.html")
    typer.echo(f"quality report: {out / 'quality.html'} and {out / 'quality.json'}")


def profile(
    who: Annotated[str, typer.Argument(help="A person ID (P…) or a household ID (HH…).")],
    db: DbOption = None,
) -> None:
    """One person's registry record by dimension, each value with its source and date, with
    rights, gaps and disagreements; or one household's profile and members."""
    from sitthi.cli.render_rights import print_household, print_person_profile
    from sitthi.context import Context
    from sitthi.registry.lookup import lookup_household, lookup_person
    from sitthi.rights.service import run_programmes

    con = Context(db=db).store(read_only=True)
    if who.startswith("HH"):
        print_household(lookup_household(con, who))
    else:
        print_person_profile(lookup_person(con, who), run_programmes(con))
