"""`tcma kits render SLUG ASSET --partner NAME [--set field=value …] -o FILE`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from tcma import db
from tcma.accounts import services as account_services
from tcma.campaigns import rules as campaign_rules
from tcma.campaigns.rendering import (
    RENDER_PREFIX,
    CampaignDraft,
    build_context,
    kit_source,
)
from tcma.campaigns.rules import FieldErrors
from tcma.campaigns.services import field_specs
from tcma.cobrand.render import (
    TARGETS,
    CachedRenderer,
    KitSource,
    RenderContext,
    RenderedFile,
    RenderError,
    render_asset,
)
from tcma.cobrand.rules import CleanImage, ImageRejected
from tcma.kits import rules as kit_rules
from tcma.kits import services as kit_services
from tcma.kits.models import PUBLISHED, KitVersion
from tcma.storage import StorageError, get_storage

ALL_TARGETS = sorted({target for targets in TARGETS.values() for target in targets})


def _version(slug: str, number: int | None) -> KitVersion:
    session = db.session()
    kit = kit_services.get_kit_by_slug(session, slug)
    if kit is None:
        raise click.ClickException(f"no kit {slug!r} (see `tcma kits import`)")
    if number is None:
        version = kit_services.latest_published_version(session, kit)
    else:
        version = next(
            (v for v in kit.versions if v.number == number and v.status == PUBLISHED), None
        )
    if version is None:
        raise click.ClickException(f"{slug} has no published version {number or ''}".strip())
    return version


def _values(
    version: KitVersion, assignments: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, CleanImage]]:
    """The kit's defaults with each --set applied; image fields take --set key=@file.png."""
    specs = field_specs(version)
    kinds = {spec["key"]: spec.get("type") for spec in specs}
    raw, images, problems = campaign_rules.field_defaults(specs), {}, {}
    for assignment in assignments:
        key, equals, value = assignment.partition("=")
        if not equals or key not in kinds:
            known = ", ".join(kinds) or "none"
            raise click.BadParameter(
                f"{assignment!r}: use FIELD=VALUE with a field of the kit ({known})",
                param_hint="--set",
            )
        if kinds[key] != "image":
            raw[key] = value
            continue
        try:
            images[key] = campaign_rules.clean_field_image(
                Path(value.removeprefix("@")).read_bytes()
            )
        except (OSError, ImageRejected) as exc:
            problems[key] = str(exc)
    try:
        values = campaign_rules.clean_field_values(specs, raw, {k: "new" for k in images})
    except FieldErrors as exc:
        problems = {**exc.problems, **problems}
    if problems:
        lines = "\n".join(f"  {key}: {message}" for key, message in problems.items())
        raise click.ClickException(f"the field values were refused:\n{lines}")
    return {k: v for k, v in values.items() if kinds[k] != "image"}, images


def _in_process(source: KitSource, asset: str, ctx: RenderContext, target: str) -> RenderedFile:
    return render_asset(source, asset, ctx, target, pool=None)


@click.command("render")
@click.argument("slug")
@click.argument("asset")
@click.option(
    "--partner", "partner_name", required=True, help="Partner company whose current brand to use."
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field value (repeatable); image fields take FIELD=@file.png.",
)
@click.option(
    "--target",
    type=click.Choice(ALL_TARGETS),
    help="Output format (default: the asset kind's first: pdf, html, png or txt).",
)
@click.option("--version", "number", type=int, help="Kit version number (default: the latest).")
@click.option("--no-cache", is_flag=True, help="Render even when the result is in storage.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    required=True,
    help="File to write ('-' for standard output).",
)
@with_appcontext
def render_command(
    slug: str,
    asset: str,
    partner_name: str,
    assignments: tuple[str, ...],
    target: str | None,
    number: int | None,
    no_cache: bool,
    output: Path,
) -> None:
    """Render one asset of a kit with a partner's brand, as the partner would download it."""
    session, storage = db.session(), get_storage()
    version = _version(slug, number)
    partner = account_services.find_partner_by_name(session, partner_name)
    if partner is None:
        raise click.ClickException(f"no partner named {partner_name!r}")
    kit_asset = version.asset(asset)
    if kit_asset is None:
        known = ", ".join(a.key for a in version.assets)
        raise click.ClickException(f"{slug} has no asset {asset!r} (it has: {known})")
    target = target or TARGETS[kit_asset.kind][0]
    if target not in TARGETS[kit_asset.kind]:
        raise click.ClickException(
            f"a {kit_asset.kind} asset renders as "
            f"{', '.join(TARGETS[kit_asset.kind])}, not {target}"
        )
    if not kit_rules.visible_to(
        version.kit.tiers, version.kit.regions, partner.tier.name, partner.region
    ):
        click.echo(f"Note: {partner.name} cannot see this kit in its catalog.", err=True)
    values, images = _values(version, assignments)
    draft = CampaignDraft(partner, version, values, new_images=images, code="PREVIEW")
    started = time.perf_counter()
    try:
        ctx = build_context(session, storage, draft, kit_asset.kind)
        source = kit_source(storage, version)
        # One render: in this process, not in worker processes started for it.
        if no_cache:
            result = render_asset(source, asset, ctx, target, pool=None)
        else:
            result = CachedRenderer(storage, _in_process, prefix=RENDER_PREFIX).render(
                source, asset, ctx, target
            )
    except (RenderError, StorageError) as exc:
        raise click.ClickException(f"the render failed: {exc}") from None
    elapsed = time.perf_counter() - started
    if str(output) == "-":
        sys.stdout.buffer.write(result.data)
        return
    output.write_bytes(result.data)
    click.echo(
        f"Wrote {output} ({slug} v{version.number} {asset} as {target.upper()}, "
        f"{len(result.data) / 1024:.0f} KB, {elapsed:.2f} s)."
    )
