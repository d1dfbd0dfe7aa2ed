"""Template filters of the targets' pages."""

from django import template

from ..selectors import vn_number as _vn_number

register = template.Library()


@register.filter
def vn_number(value) -> str:
    """717.000 and 50,31, as Vietnamese writes numbers (no trailing zeros)."""
    return _vn_number(value)
