from django.urls import path

from vikno.workspace.views import (
    accounts,
    actions,
    card,
    control,
    home,
    notes,
    queue,
    register,
    reply_templates,
    security,
)

app_name = "workspace"

urlpatterns = [
    path("", home.home, name="home"),
    # The operator's screen and its htmx helpers.
    path("appeals/new/", register.register, name="register"),
    path("appeals/new/applicants/", register.applicant_lookup, name="applicant_lookup"),
    path("appeals/new/applicants/<int:pk>/use/", register.applicant_use, name="applicant_use"),
    path("appeals/new/applicants/clear/", register.applicant_clear, name="applicant_clear"),
    path("appeals/new/assist/", register.assist, name="register_assist"),
    path("lookup/territories/", register.territory_search, name="territory_search"),
    path("lookup/territories/pick/", register.territory_pick, name="territory_pick"),
    path("lookup/subtopics/", register.subtopic_options, name="subtopic_options"),
    # Queues and the card.
    path("appeals/", queue.queue, name="queue"),
    path("appeals/export/", queue.queue_export, name="queue_export"),
    path("appeals/views/", queue.saved_view_save, name="saved_view_save"),
    path("appeals/views/<int:pk>/delete/", queue.saved_view_delete, name="saved_view_delete"),
    path("appeals/<str:number>/print/", card.appeal_print, name="appeal_print"),
    path("appeals/<str:number>/", card.appeal_card, name="appeal_card"),
    path("appeals/<str:number>/attachments/<int:pk>/", card.attachment_download,
         name="attachment_download"),
    *(path(f"appeals/<str:number>/{slug}/", actions.appeal_action_view(slug),
           name=f"appeal_{slug.replace('-', '_')}") for slug in actions.APPEAL_ACTIONS),
    path("appeals/<str:number>/notes/", notes.note_add, name="appeal_note_add"),
    path("extensions/<int:pk>/decide/", actions.extension_decide, name="extension_decide"),
    *(path(f"assignments/<int:pk>/{slug}/", actions.assignment_action_view(slug),
           name=f"assignment_{slug.replace('-', '_')}") for slug in actions.ASSIGNMENT_ACTIONS),
    path("my/", queue.my_assignments, name="my_assignments"),
    # Control.
    path("dashboard/", control.dashboard, name="dashboard"),
    path("statistics/", control.statistics, name="statistics"),
    path("notifications/", home.notifications, name="notifications"),
    path("notifications/read/", home.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", home.notification_read, name="notification_read"),
    # The centre's reply templates (supervisors).
    path("templates/", reply_templates.template_list, name="reply_templates"),
    path("templates/new/", reply_templates.template_edit, name="reply_template_new"),
    path("templates/<int:pk>/", reply_templates.template_edit, name="reply_template_edit"),
    path("templates/<int:pk>/active/", reply_templates.template_active,
         name="reply_template_active"),
    # Security administration.
    path("security/audit/", security.audit_trail, name="audit"),
    path("security/audit/verify/", security.audit_verify, name="audit_verify"),
    path("security/audit/export/<slug:file_format>/", security.audit_export, name="audit_export"),
    path("security/accounts/", accounts.accounts, name="accounts"),
    path("security/accounts/new/", accounts.account_new, name="account_new"),
    path("security/accounts/import/", accounts.account_import, name="account_import"),
    path("security/accounts/import/confirm/", accounts.account_import_confirm,
         name="account_import_confirm"),
    path("security/accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("security/accounts/<int:pk>/duty/", accounts.account_duty, name="account_duty"),
    path("security/accounts/<int:pk>/details/", accounts.account_profile, name="account_profile"),
    path("security/accounts/<int:pk>/password-link/", accounts.account_password_link,
         name="account_password_link"),
    path("security/accounts/<int:pk>/activate/", accounts.account_activate, name="account_activate"),
    path("security/accounts/<int:pk>/deactivate/", accounts.account_deactivate,
         name="account_deactivate"),
]
