"""Building admin POSTs the way a browser would submit the page it was given."""


def _value(field, bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.strftime("%d/%m/%Y") if not hasattr(value, "hour") else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = _value(field, bound)
        if value == "" and field.widget.__class__.__name__ == "CheckboxInput":
            continue
        data[bound.html_name] = value
    return data


def admin_change_data(response, **overrides) -> dict:
    """The data of an admin change page as loaded: the main form and every inline formset, untouched."""
    context = response.context
    data = form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        for form in formset.initial_forms:
            data.update(form_data(form))
        data[management["TOTAL_FORMS"].html_name] = len(formset.initial_forms)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def inline_prefix(response, model_name: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise KeyError(model_name)
