"""`flask demo`: seed a realistic demo warehouse (filled in below)."""

import click


@click.command("demo")
def demo_command():
    """Seed the demo warehouse; safe to run twice."""
    click.echo("demo: nothing yet")
