"""Stored phones re-normalised to one form (E.164 digits, Ukraine by default), so that a number
taken down as «0048 601…» or with the old trunk prefix is found by any spelling."""

from typing import Any

from django.db import migrations

from vikno.appeals.models.applicants import phone_normalise


def renormalise(apps: Any, schema_editor: Any) -> None:
    applicant = apps.get_model("appeals", "Applicant")
    for pk, phone, digits in applicant.objects.exclude(phone="").values_list(
            "pk", "phone", "phone_digits").iterator():
        wanted = phone_normalise(phone)
        if wanted != digits:
            applicant.objects.filter(pk=pk).update(phone_digits=wanted)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0016_transition_action_choices")]

    # backwards: the re-normalised digits find the same applicants, nothing to undo
    operations = [migrations.RunPython(renormalise, migrations.RunPython.noop)]
