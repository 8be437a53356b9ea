"""``sitthi link``, ``evaluate``, ``review`` and ``explain``: identity resolution."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sitthi.cli.options import DbOption, input_file
from sitthi.errors import ValidationError

if TYPE_CHECKING:
    from sitthi.linkage.cluster import Thresholds
    from sitthi.linkage.review import Decision

review_app = typer.Typer(
    help="The review queue: pairs the model is unsure of.", no_args_is_help=True
)

LinkThreshold = Annotated[
    float, typer.Option(help="Match probability at or above which two records are linked.")
]
ReviewThreshold = Annotated[
    float, typer.Option(help="Match probability from which an unlinked pair is queued for review.")
]


def _thresholds(link: float, review: float) -> Thresholds:
    from sitthi.linkage.cluster import Thresholds

    if not 0 < review <= link <= 1:
        raise ValidationError(
            f"--review-threshold ({review}) must be above 0 and at most --link-threshold ({link}),"
            " which is at most 1"
        )
    return Thresholds(link=link, review=review)


def link(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Quick mode: CSV files to link without a store (needs --out)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Quick mode: write links here.")
    ] = None,
    spec: Annotated[
        list[str] | None,
        typer.Option(
            help="Quick mode: a source spec for files in another shape (one, or one per file)."
        ),
    ] = None,
    db: DbOption = None,
    link_threshold: LinkThreshold = 0.99,
    review_threshold: ReviewThreshold = 0.5,
    incremental: Annotated[
        bool,
        typer.Option(help="Match only records new or changed since the last run, with its model."),
    ] = False,
) -> None:
    """Resolve records into persons: national ID, ID repair, Splink, stable person IDs.

    Without FILES, links every record in the store and keeps person IDs from the last run
    (with --incremental, scores only what is new since then, with the last run's model).
    With FILES, links plain CSV files and writes source, record_id, person_id for every
    record to --out. Their columns: record_id, national_id, title, first_name, last_name,
    sex, birth_date, house_code, house_no, moo, subdistrict, district, province, phone.
    """
    from sitthi.cli.progress import steps
    from sitthi.cli.render_link import print_link_report
    from sitthi.config import get_settings
    from sitthi.context import Context
    from sitthi.linkage.service import STEPS
    from sitthi.linkage.service import link as link_service

    thresholds = _thresholds(link_threshold, review_threshold)
    settings = get_settings()
    if files:
        from sitthi.linkage.quick import quick_link

        if out is None:
            raise ValidationError("quick mode writes a links file: give --out links.csv")
        if incremental:
            raise ValidationError("--incremental links the store: quick mode always starts afresh")
        for path in files:
            input_file(path, "")
        with steps("link", total=STEPS) as step:
            result = quick_link(files, out, specs=spec or (), thresholds=thresholds, progress=step)
        print_link_report(result.link)
        note = (
            f" ({result.unlinked_rows} unreadable rows written without a person)"
            if result.unlinked_rows
            else ""
        )
        typer.echo(f"links: {result.out} ({result.written:,} records){note}")
        return
    if out is not None or spec:
        raise ValidationError("--out and --spec are for quick mode: give the files to link")

    with steps("link", total=STEPS) as step:
        report = link_service(
            Context(settings=settings, db=db),
            thresholds=thresholds,
            progress=step,
            incremental=incremental,
        )
    print_link_report(report)
    if report.decisions_imported:
        typer.echo(f"applied {report.decisions_imported:,} review decisions made in the API")


def evaluate(
    truth: Annotated[Path, typer.Option(help="Truth CSV: source,record_id,person_id.")],
    links: Annotated[
        Path | None, typer.Option(help="A links CSV from quick mode (default: the store).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Pairwise precision, recall, F1 and cluster purity against a labelled truth."""
    from sitthi.cli.render_link import print_accuracy
    from sitthi.config import get_settings
    from sitthi.context import Context
    from sitthi.engines.duckdb import connect
    from sitthi.linkage.evaluate import evaluate_links, evaluate_store

    input_file(truth, "--truth")
    input_file(links, "--links")
    if links is not None:
        accuracy = evaluate_links(connect(None), truth, links)
    else:
        settings = get_settings()
        accuracy = evaluate_store(Context(settings=settings, db=db).store(read_only=True), truth)
    print_accuracy(accuracy)


@review_app.command("list")
def review_list(
    reason: Annotated[
        str | None,
        typer.Option(
            help="Only this reason: uncertain, competing_persons, id_conflict, different_ids."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many pairs to show.")] = 10,
    db: DbOption = None,
) -> None:
    """Show queued pairs side by side, with the match weight of each field."""
    from sitthi.cli.render_link import print_review_items
    from sitthi.context import Context
    from sitthi.linkage.labels import REVIEW_REASONS
    from sitthi.linkage.review import list_queue

    if reason is not None and reason not in REVIEW_REASONS:
        # A misspelt reason would show an empty queue, as if nothing were waiting.
        raise ValidationError(
            f"--reason must be one of {', '.join(REVIEW_REASONS)}, not {reason!r}"
        )
    con = Context(db=db).store(read_only=True)
    total, items = list_queue(con, reason=reason, limit=limit)
    print_review_items(total, items)


def _decide(
    pair_id: str, decision: Decision, note: str | None, by: str | None, db: Path | None
) -> None:
    from sitthi.context import Context
    from sitthi.linkage.review import decide

    con = Context(db=db).store(must_exist=True)
    sl, rl, sr, rr = decide(
        con,
        pair_id,
        decision,
        decided_by=by or getpass.getuser(),
        note=note,
    )
    verdict = "the same person" if decision == "same" else "different people"
    typer.echo(
        f"{sl}:{rl} and {sr}:{rr} recorded as {verdict}; "
        "the next `sitthi link` applies it, and every run after."
    )


NoteOption = Annotated[str | None, typer.Option(help="Why (kept with the decision).")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who decided (default: your login).")]


@review_app.command("accept")
def review_accept(
    pair_id: Annotated[str, typer.Argument(help="The pair, as `sitthi review list` shows it.")],
    note: NoteOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Decide that a queued pair is one person."""
    _decide(pair_id, "same", note, by, db)


@review_app.command("reject")
def review_reject(
    pair_id: Annotated[str, typer.Argument(help="The pair, as `sitthi review list` shows it.")],
    note: NoteOption = None,
    by: ByOption = None,
    db: DbOption = None,
) -> None:
    """Decide that a queued pair is two people."""
    _decide(pair_id, "different", note, by, db)


def explain(
    what: Annotated[
        list[str],
        typer.Argument(
            help="A person ID (P0000000123), or one or two records as SOURCE:RECORD_ID."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Why records are (or are not) one person: stages, links and per-field evidence."""
    from sitthi.cli.render_link import print_pair, print_person
    from sitthi.context import Context
    from sitthi.linkage.explain import (
        explain_pair,
        explain_person,
        parse_record_ref,
        person_of_record,
    )

    con = Context(db=db).store(read_only=True)
    if len(what) == 1 and ":" not in what[0]:
        print_person(explain_person(con, what[0]))
    elif len(what) == 1:
        print_person(explain_person(con, person_of_record(con, *parse_record_ref(what[0]))))
    elif len(what) == 2:
        print_pair(explain_pair(con, parse_record_ref(what[0]), parse_record_ref(what[1])))
    else:
        raise ValidationError("explain one person, one record or a pair of records")


def duplicates(
    decision: Annotated[
        str | None, typer.Option(help="Only this decision: merged or review.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the list with both national IDs (CSV) for DOPA to resolve."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many to show.")] = 20,
    db: DbOption = None,
) -> None:
    """Persons registered under two valid national IDs (ซ้ำซ้อน), from the last link run."""
    from sitthi.cli.render_link import print_duplicate_registrations
    from sitthi.context import Context
    from sitthi.csv_header import write_csv
    from sitthi.linkage.duplicates import LIST_COLUMNS, duplicate_registration_list
    from sitthi.linkage.labels import DUPLICATE_DECISIONS
    from sitthi.linkage.tables import ensure_schema

    if decision is not None and decision not in DUPLICATE_DECISIONS:
        raise ValidationError(
            f"--decision must be one of {', '.join(DUPLICATE_DECISIONS)}, not {decision!r}"
        )
    con = Context(db=db).store(read_only=True)
    ensure_schema(con)
    found = duplicate_registration_list(con, decision)
    if out is not None:
        write_csv(found, out, LIST_COLUMNS, private=True)
    print_duplicate_registrations(found, limit, out)
