"""`tcma kits import PATH_OR_ZIP` and `tcma kits export SLUG [--version N] -o FILE.zip`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tcma import db
from tcma.kits import importer, services
from tcma.kits import tasks as kit_tasks
from tcma.kits.models import PUBLISHED, KitVersion
from tcma.kits.package import read_package
from tcma.kits.rules import PackageError
from tcma.storage import StorageError, get_storage


@click.group("kits")
def kits_group() -> None:
    """Import and export campaign kits (the kit folder format, as a folder or a zip)."""


@kits_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Import a kit folder or zip: all or nothing; an existing kit gets a new version."""
    try:
        package = read_package(path)
    except PackageError as exc:
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        count = len(exc.problems)
        raise click.ClickException(
            f"{path} was not imported ({count} problem{'s' if count > 1 else ''})."
        ) from None
    session, storage = db.session(), get_storage()
    with click.progressbar(length=len(package.files), label=f"Storing {package.slug}") as bar:
        try:
            result = importer.import_package(
                session, storage, package, None, lambda done, total: bar.update(done - bar.pos)
            )
        except PackageError as exc:
            session.rollback()
            raise click.ClickException("; ".join(exc.problems)) from None
        except StorageError as exc:
            session.rollback()
            raise click.ClickException(f"the files could not be stored: {exc}") from None
    if result.created:
        kit_tasks.queue_previews(session, result.version)
    try:
        session.commit()
    except Exception:
        session.rollback()  # removes the files this import wrote
        raise
    if result.created:
        click.echo(
            f"Imported {result.kit.slug}: version {result.version.number} is published "
            f"({len(package.files)} files)."
        )
    else:
        click.echo(f"{result.kit.slug} is unchanged since version {result.version.number}.")


@kits_group.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The zip file to write.",
)
@with_appcontext
def export_command(slug: str, number: int | None, output: Path) -> None:
    """Export a published version of a kit as a zip in the kit folder format."""
    session = db.session()
    kit = services.get_kit_by_slug(session, slug)
    if kit is None:
        raise click.ClickException(f"no kit {slug!r}")
    version = (
        services.latest_published_version(session, kit)
        if number is None
        else next((v for v in kit.versions if v.number == number and v.status == PUBLISHED), None)
    )
    if not isinstance(version, KitVersion):
        which = f"version {number}" if number else "a published version"
        raise click.ClickException(f"{slug} has no {which}")
    with click.progressbar(length=len(version.files), label=f"Reading {slug}") as bar:
        data = importer.export_zip(
            get_storage(), version, lambda done, total: bar.update(done - bar.pos)
        )
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({slug} version {version.number}, {len(data) / 1024:.0f} KB).")
