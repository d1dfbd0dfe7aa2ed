"""Forms: version-checked edits, progress reports with attachments."""

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import UserKind
from .models import Agency, Milestone, ProgressReport, TargetFigure, TargetValue, Task
from .services.reports import ConflictError, attachment_validate, conflict_message, report_validate
from .services.targets import target_value_validate
from .services.tasks import milestone_validate, task_state_validate
from .services.users import user_kind_validate


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content and size."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        errors, cleaned = [], []
        for upload in files:
            try:
                attachment_validate(super().clean(upload, initial))
                cleaned.append(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class VersionedModelForm(forms.ModelForm):
    """Carries the version the user started from; saving over a newer version is refused (no lost updates)."""

    conflict_label = _("Bản ghi")
    edit_version = forms.IntegerField(label=_("Phiên bản đang sửa"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "edit_version" in self.fields and self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "edit_version" in self.fields:
            started_from = cleaned.get("edit_version")
            # Lock the row so two saves that start together are decided one after the other.
            current = type(self.instance).objects.select_for_update().filter(pk=self.instance.pk).first()
            if current is None:
                raise ValidationError(_("Bản ghi này đã bị xóa."))
            if started_from is None or current.version != started_from:
                raise ConflictError(conflict_message(str(self.conflict_label), current), code="conflict")
        return cleaned


def add_rule_errors(form, error: ValidationError) -> None:
    """A service rule's errors on the form's fields of the same name (else on the form), never the database's message."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class TaskAdminForm(VersionedModelForm):
    conflict_label = _("Nhiệm vụ")

    class Meta:
        model = Task
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if {"status", "progress", "completed_on"} <= set(self.fields) and cleaned.get("status"):
            try:
                task_state_validate(status=cleaned["status"], progress=cleaned.get("progress"), completed_on=cleaned.get("completed_on"))
            except ValidationError as error:
                add_rule_errors(self, error)
        return cleaned


class MilestoneForm(forms.ModelForm):
    """A step of a task in the admin: its completion date is checked by the milestone service's rule."""

    class Meta:
        model = Milestone
        fields = ["position", "label", "due_date", "is_conditional", "completed_on"]

    def clean(self):
        cleaned = super().clean()
        try:
            milestone_validate(completed_on=cleaned.get("completed_on"))
        except ValidationError as error:
            add_rule_errors(self, error)
        return cleaned


class ProgressReportForm(forms.ModelForm):
    """A new report: the status rules are checked here and again in the service."""

    attachments = MultipleFileField(
        label=_("Tệp đính kèm"), help_text=_("PDF, DOCX, XLSX, PNG hoặc JPG; mỗi tệp tối đa 10 MB; có thể chọn nhiều tệp.")
    )

    class Meta:
        model = ProgressReport
        fields = ["agency", "period", "status", "percent", "completed_on", "results", "difficulties", "proposals"]
        widgets = {
            "results": forms.Textarea(attrs={"rows": 3}),
            "difficulties": forms.Textarea(attrs={"rows": 2}),
            "proposals": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        status, percent = cleaned.get("status"), cleaned.get("percent")
        if status and percent is not None:
            try:
                report_validate(status=status, percent=percent, completed_on=cleaned.get("completed_on"))
            except ValidationError as error:
                add_rule_errors(self, error)
        return cleaned


class ReviewForm(VersionedModelForm):
    """The Office's decision on a report."""

    conflict_label = _("Báo cáo")
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("", "—"), ("accept", _("Chấp nhận")), ("return", _("Trả lại"))],
        required=False,
    )

    class Meta:
        model = ProgressReport
        fields = ["review_comment"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not cleaned.get("review_comment", "").strip():
            self.add_error("review_comment", _("Khi trả lại báo cáo phải ghi ý kiến để cơ quan biết cần bổ sung gì."))
        return cleaned



class TargetValueForm(forms.ModelForm):
    """A new value of a figure: the rules are those of the service (target_value_validate), checked here for the form."""

    class Meta:
        model = TargetValue
        fields = ["agency", "period_kind", "year", "value", "achieved", "source", "note"]
        localized_fields = ["value"]  # typed as Vietnamese writes it: 50,31
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, figure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.figure = figure
        if "year" in self.fields and not self.instance.pk:
            from .selectors import today

            self.fields["year"].initial = today().year  # values are reported for the year under way, at its 15/12

    def clean(self):
        cleaned = super().clean()
        if self.figure is not None and cleaned.get("period_kind") and cleaned.get("year"):
            try:
                target_value_validate(
                    figure=self.figure, value=cleaned.get("value"), achieved=cleaned.get("achieved"),
                    period_kind=cleaned["period_kind"], year=cleaned["year"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned


class TargetValueReviewForm(ReviewForm):
    """The Office's decision on a reported value."""

    conflict_label = _("Số liệu")

    class Meta:
        model = TargetValue
        fields = ["review_comment"]


class TargetFigureAdminForm(forms.ModelForm):
    class Meta:
        model = TargetFigure
        fields = "__all__"
        localized_fields = ["baseline_value"]


class UserOnboardingForm(AdminUserCreationForm):
    """The Office creates a person in one step: name, sign-in, role and (for a reporter) the body they report for."""

    kind = forms.ChoiceField(label=_("Vai trò"), choices=[("", "—")] + list(UserKind.choices),
                             help_text=_("Quyền vào trang quản trị đi theo vai trò; không cần đánh dấu thêm."))
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=Agency.objects.all(), required=False,
                                    help_text=_("Bắt buộc với người báo cáo. Gõ vài chữ của tên, có dấu hoặc không dấu."))

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Thư điện tử")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind"):
            try:
                user_kind_validate(kind=cleaned["kind"], agencies=[cleaned["agency"]] if cleaned.get("agency") else [])
            except ValidationError as error:
                add_rule_errors(self, error)
        return cleaned
