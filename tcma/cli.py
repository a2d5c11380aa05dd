"""Entry point of the `tcma` console command."""

from flask.cli import FlaskGroup

from tcma import create_app


def main() -> None:
    """Run the tcma command group (init, demo, users, serve, kits, ...)."""
    FlaskGroup(create_app=create_app, help="tcma: co-marketing and MDF toolkit.")(prog_name="tcma")
