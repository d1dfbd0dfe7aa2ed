"""What every page's links need to know of the user, so no page offers a link that would refuse them."""

from django.utils.functional import SimpleLazyObject

from . import access


class OpenableAgencies:
    """``{% if agency.pk in agency_pages %}``: whether the user may open that body's page."""

    def __init__(self, user):
        self.user = user

    def __contains__(self, agency_id) -> bool:
        return self.user.is_authenticated and access.may_open_agency(self.user, agency_id)


def access_links(request):
    user = request.user
    return {
        "may_import": SimpleLazyObject(lambda: access.may_import(user)),
        "agency_pages": OpenableAgencies(user),
        "may_review": SimpleLazyObject(lambda: access.is_office(user)),
        # The Office and leaders report for no body (asked first: no query for them); a reporter's bodies are read anyway.
        "has_own_work": SimpleLazyObject(lambda: user.is_authenticated and not access.sees_everything(user) and bool(access.agency_ids(user))),
    }
