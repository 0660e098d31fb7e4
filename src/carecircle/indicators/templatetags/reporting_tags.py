"""Template filters of the reporting pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain(number) -> str:
    """A stored decimal as entered: ``95.8000`` → ``95.8``, ``1200.0000`` → ``1200``; empty for
    ``None``."""
    if number is None or number == "":
        return ""
    if not isinstance(number, Decimal):
        number = Decimal(str(number))
    return format(number.normalize(), "f")
