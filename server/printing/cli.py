"""`flask --app wsgi printing ...`: the print worker on its own, and a printer's ~HS status from a shell."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

printing_cli = AppGroup("printing", help="Label printers and print jobs.")


@printing_cli.command("worker")
def worker():
    """Run the print worker alone (`flask jobs worker` runs it already: use this only without that)."""
    from .worker import run_until_signalled

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_until_signalled(current_app._get_current_object())


@printing_cli.command("status")
@click.argument("name")
def status(name):
    """Ask a printer for its ~HS status now and store it."""
    from ..http import run_in_transaction
    from . import services

    answer = run_in_transaction(lambda: services.check_status(services.find_printer(name)))
    for key, value in sorted(answer.items()):
        click.echo(f"{key}\t{value}")
