"""Operator commands (`flask --app wsgi ...`), exactly as CONTRACT.md lists them."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from .auth import services as auth
from .auth.models import Role, TokenKind, User
from .errors import DomainError
from .extensions import db
from .http import run_in_transaction

user_cli = AppGroup("user", help="Manage users.")
token_cli = AppGroup("token", help="Manage API tokens.")
inventory_cli = AppGroup("inventory", help="Inventory ledger checks.")
maintenance_cli = AppGroup("maintenance", help="Housekeeping.")
orders_cli = AppGroup("orders", help="Outbound orders.")
counts_cli = AppGroup("counts", help="Cycle counts.")


@user_cli.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", default=None, help="For supervisors and admins (web login).")
@click.option("--badge", default=None, help="Badge barcode for floor login (needs --pin).")
@click.option("--pin", default=None, help="4 to 8 digits.")
@click.option("--display-name", default=None)
def user_add(name, role, password, badge, pin, display_name):
    """Create a user."""
    try:
        user = run_in_transaction(auth.create_user, name, role=role, password=password, badge=badge, pin=pin,
                                  display_name=display_name)
    except DomainError as e:
        click.echo(f"error: {e.detail}", err=True)
        sys.exit(1)
    click.echo(f"created user {user.username} ({user.role.value})")


@token_cli.command("create")
@click.argument("name")
@click.option("--label", default="cli token", help="What the token is for.")
def token_create(name, label):
    """Print a new API bearer token for user NAME (alone on the last line)."""
    def issue():
        user = db.session.scalar(sa.select(User).where(User.username == auth.normalise_username(name)))
        if user is None or not user.active:
            raise click.ClickException(f"no active user named {name}")
        plain, _row = auth.issue_token(user, kind=TokenKind.API, name=label)
        return plain

    click.echo(run_in_transaction(issue))


@token_cli.command("revoke")
@click.argument("token")
def token_revoke(token):
    """End one token at once: give its id (from `token list`) or its value."""
    def revoke():
        row = auth.find_token(token)
        ended = auth.revoke_token_row(row)
        return row.id, row.user.username, ended

    try:
        token_id, username, ended = run_in_transaction(revoke)
    except DomainError as e:
        raise click.ClickException(e.detail) from None
    click.echo(f"revoked token {token_id} of {username}" if ended else f"token {token_id} of {username} had ended")


@token_cli.command("list")
@click.argument("name", required=False)
def token_list(name):
    """List live tokens (of user NAME): id, user, kind, name, device, created, expires."""
    user_id = None
    if name:
        user_id = db.session.scalar(sa.select(User.id).where(User.username == auth.normalise_username(name)))
        if user_id is None:
            raise click.ClickException(f"no user named {name}")
    for t in auth.list_tokens(user_id=user_id):
        expires = t.expires_at.isoformat(timespec="seconds") if t.expires_at else "never"
        click.echo(f"{t.id}\t{t.user.username}\t{t.kind.value}\t{t.name}\t{t.device_id or '-'}\t"
                   f"{t.created_at.isoformat(timespec='seconds')}\t{expires}")


@inventory_cli.command("verify")
def inventory_verify():
    """Recompute balances of physical locations from the ledger; exit 1 with the differences."""
    from .inventory.models import Location
    from .catalog.models import Item
    from .inventory.queries import verify_ledger

    problems = verify_ledger()
    if not problems:
        click.echo("ok")
        return
    for p in problems:
        item = db.session.get(Item, p["item_id"])
        loc = db.session.get(Location, p["location_id"])
        lot = f" lot {p['lot']}" if p["lot"] else ""
        if "ledger" in p:
            click.echo(f"{item.sku} at {loc.code}{lot}: ledger says {p['ledger']}, balance says {p['balance']}")
        else:
            click.echo(f"{item.sku} at {loc.code}{lot}: reservations add up to {p['reservations']}, "
                       f"balance has {p['reserved']} reserved of {p['balance']} on hand")
    click.echo(f"{len(problems)} difference(s)")
    sys.exit(1)


@orders_cli.command("allocate")
def orders_allocate():
    """Reserve stock for open orders, the most urgent ship-by first (as the supervisor's Allocate button)."""
    from .inventory.ledger import Actor
    from .picking.allocation import allocate

    result = run_in_transaction(allocate, actor=Actor(user_id=None, device_id="cli"), deferred_lock=True)
    click.echo(f"{result.orders} open order(s): {len(result.allocated)} allocated, {len(result.short)} short; "
               f"{result.reserved_units} unit(s) reserved")


@maintenance_cli.command("purge-idempotency-keys")
@click.option("--days", default=30, show_default=True, help="Keep keys this many days (at least 14).")
def purge_idempotency_keys(days):
    """Forget old Idempotency-Key records."""
    from .idempotency import purge_older_than
    if days < 14:
        raise click.ClickException("keys are kept at least 14 days")
    click.echo(f"purged {purge_older_than(days)}")  # in batches, each its own short transaction


@counts_cli.command("classify")
@click.option("--if-due", is_flag=True, help="Only when the classes are older than COUNT_CLASSIFY_HOURS.")
def counts_classify(if_due):
    """Recompute the items' ABC classes (`flask jobs worker` does it daily by itself)."""
    from .counts.schedule import classify_if_due
    from .counts.services import classify_items
    from .inventory.ledger import Actor

    if if_due:
        result = classify_if_due()
    else:
        result = run_in_transaction(classify_items, actor=Actor(user_id=None, device_id="cli"))
    if result is None:
        click.echo("classes are current: nothing to do")
    else:
        click.echo(" ".join(f"{cls}={n}" for cls, n in sorted(result.items())))


@click.command("virtual-printer")
@click.option("--port", default=9100, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--spool", default=None, help="Folder for received labels (default: instance/printer-spool).")
@click.option("--status", "flags", default="", help="~HS flags to report, comma-separated: paper_out, paused, "
              "head_open, ribbon_out, over_temperature (or write them to SPOOL/status.json while it runs).")
def virtual_printer(port, host, spool, flags):
    """Run a ZPL printer on a TCP port that stores what it receives and answers ~HS."""
    from pathlib import Path

    from .printing.virtual_printer import FLAGS, VirtualPrinter, spool_folder

    chosen = {flag.strip() for flag in flags.split(",") if flag.strip()}
    if chosen - set(FLAGS):
        raise click.BadParameter(f"unknown flag(s) {', '.join(sorted(chosen - set(FLAGS)))}", param_hint="--status")
    folder = Path(spool) if spool else spool_folder()
    with VirtualPrinter(host, port, folder, flags=dict.fromkeys(chosen, True)) as printer:
        click.echo(f"virtual printer on {host}:{printer.server_address[1]}, storing labels in {folder}")
        printer.serve_forever()


def register_commands(app: Flask) -> None:
    from .demo import demo_command
    from .jobs.cli import jobs_cli
    from .printing.cli import printing_cli

    app.cli.add_command(user_cli)
    app.cli.add_command(token_cli)
    app.cli.add_command(inventory_cli)
    app.cli.add_command(maintenance_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(virtual_printer)
    app.cli.add_command(printing_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(counts_cli)
    # `flask jobs worker` also recomputes the ABC classes when they are stale (one consumer per deployment).
    from .counts.schedule import in_background as classify_in_background
    from .jobs.cli import WORKER_COMPANIONS

    companions = app.extensions.setdefault(WORKER_COMPANIONS, [])
    if classify_in_background not in companions:
        companions.append(classify_in_background)
