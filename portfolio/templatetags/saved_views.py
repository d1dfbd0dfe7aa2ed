"""{% saved_views %}: the dashboard's list of the user's saved task lists (and those shared with the Office)."""

from django import template

from ..savedviews import openable_views

register = template.Library()


@register.inclusion_tag("portfolio/saved_views.html", takes_context=True)
def saved_views(context):
    user = context["request"].user
    return {"views": list(openable_views(user)), "user": user, "csrf_token": context.get("csrf_token")}
