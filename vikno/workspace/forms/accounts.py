"""Forms of the security administrator's account screens. They only shape the input: the rules
(a taken login, an executor without an authority, a bad e-mail) are the services' own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from vikno.accounts.roles import Role
from vikno.directory.staff import COLUMNS, MAX_BYTES, StaffData
from vikno.workspace import reads
from vikno.workspace.forms import set_choices

ROLE_CHOICES = [("", "—"), *Role.choices]
ACTIVE_CHOICES = [("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))]


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=150,
                        help_text=_("Login name, last name or e-mail"),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), required=False,
                             choices=[("", _("All")), *Role.choices])
    authority = forms.ChoiceField(label=_("Authority"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["authority"], reads.authority_choices(blank=str(_("All"))))

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        active = {"1": True, "0": False}.get(data["active"])
        return {"q": data["q"], "role": data["role"], "authority_code": data["authority"],
                "active": active}


class _Binding(forms.Form):
    authority = forms.ChoiceField(label=_("Authority"), required=False,
                                  help_text=_("For an executor only: the body whose assignments "
                                              "the account works on."))
    is_head = forms.BooleanField(label=_("Head or deputy head of the body"), required=False,
                                 help_text=_("May decide the body's extension requests "
                                             "(ст.20 of the Law)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["authority"], reads.authority_choices())


class AccountCreateForm(_Binding):
    field_order = ["username", "last_name", "first_name", "patronymic", "email", "position",
                   "role", "authority", "is_head"]
    username = forms.CharField(label=_("Login name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("The link to set the password is sent here."))
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)

    def staff_data(self) -> StaffData:
        data = self.cleaned_data
        return StaffData(username=data["username"], role=data["role"],
                         last_name=data["last_name"], first_name=data["first_name"],
                         patronymic=data["patronymic"], email=data["email"],
                         position=data["position"], authority_code=data["authority"],
                         is_head=data["is_head"])


class AccountDutyForm(_Binding):
    field_order = ["role", "authority", "is_head"]
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class AccountProfileForm(forms.Form):
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)


class StaffImportForm(forms.Form):
    file = forms.FileField(label=_("Staff file (CSV)"),
                           help_text=format_lazy(_(
                               "UTF-8, separated by «;» or «,»; the first line names the "
                               "columns: {columns}."), columns=", ".join(COLUMNS)))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
        return upload


class StaffImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    send_links = forms.BooleanField(label=_("E-mail each new account its link to set the password"),
                                    required=False, initial=True)
