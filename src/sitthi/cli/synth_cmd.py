"""``sitthi synth``: generate a synthetic Thailand with ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sitthi.cli.options import input_file, parse_date_option
from sitthi.errors import ValidationError

#: The earliest year of an --as-of day a synthetic population can be generated for.
FIRST_YEAR = 1900


def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the world into.")],
    persons: Annotated[int, typer.Option("--persons", "-n", help="Number of people.")] = 100_000,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same files.")
    ] = 42,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day the extracts are taken (YYYY-MM-DD).")
    ] = None,
    noise: Annotated[
        Path | None, typer.Option(help="A noise model YAML instead of the packaged one.")
    ] = None,
) -> None:
    """Generate a synthetic population, its agency extracts and the ground truth.

    Writes OUT/extracts (what agencies send), OUT/truth (who is who, planted errors)
    and OUT/manifest.json.
    """
    from sitthi.cli.progress import steps
    from sitthi.cli.render import print_world_summary
    from sitthi.synth.noise import load_noise_model
    from sitthi.synth.world import DEFAULT_AS_OF, STEPS, generate_world

    day = parse_date_option(as_of, "--as-of") or DEFAULT_AS_OF
    if day.year < FIRST_YEAR:
        # People are born up to ~110 years before the day: earlier, dates leave the calendar.
        raise ValidationError(f"--as-of must be in {FIRST_YEAR} or later, got {as_of}")
    model = load_noise_model(noise) if input_file(noise, "--noise") else None
    with steps("synth", total=STEPS) as step:
        summary = generate_world(
            out,
            persons=persons,
            seed=seed,
            as_of=day,
            noise=model,
            progress=step,
        )
    print_world_summary(summary)
