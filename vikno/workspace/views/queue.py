"""Work queues: the appeals queue (centre and executors) and the executor's assignments."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.writer.excel import save_workbook

from vikno.accounts.access import role_of
from vikno.accounts.errors import AccountsError
from vikno.accounts.roles import CASE_ROLES, Role
from vikno.accounts.selectors import saved_views_for
from vikno.accounts.services import saved_view_delete as saved_view_delete_service
from vikno.accounts.services import saved_view_save as saved_view_service
from vikno.appeals import access, selectors
from vikno.appeals.errors import AppealsError
from vikno.appeals.lifecycle import AssignmentStatus
from vikno.appeals.selectors import OPEN, SORTS
from vikno.core import clock, db
from vikno.directory.selectors import working_calendar
from vikno.workspace import reads
from vikno.workspace.forms.filters import ALL, QueueFilterForm, SavedViewForm
from vikno.workspace.permissions import role_required
from vikno.workspace.views.common import PAGE_SIZE, is_fragment_request, safe_next


def _row(appeal: Any, visible: bool) -> dict[str, Any]:
    # The sub-topics and executors come with the page (selectors.rows_details, one query).
    return {
        "appeal": appeal,
        "visible": visible,
        "topics": appeal.row_topics,
        "executors": appeal.row_executors,
    }


def _queue_data(request: HttpRequest) -> QueryDict:
    """The filters come from the URL (GET parameters carry no personal data, so back, refresh,
    bookmarks and saved views keep them); the text search, which may be a phone number or a
    surname, comes only by POST to that URL and never lands in a URL, the history or access logs.
    A search term in a URL is ignored."""
    data = request.GET.copy()
    data.pop("q", None)
    if request.method == "POST":
        data["q"] = request.POST.get("q", "")
        data["page"] = request.POST.get("page", "1")
    statuses = [s for s in data.getlist("status") if s]
    if "status" in data and not statuses:
        # `status=` (empty) is how links asked for every status before it could repeat.
        statuses = [ALL]
    # The queue opens on the appeals still under consideration; "All" must be asked for.
    data.setlist("status", statuses or [OPEN])
    return data


def _queue_form(request: HttpRequest, data: QueryDict) -> QueueFilterForm:
    return QueueFilterForm(data, with_authority=role_of(request.user) != Role.EXECUTOR)


def _sort_headers(form: QueueFilterForm, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the URL query that sorts by it (the other way when it is the current
    order) and its aria-sort."""
    headers = {}
    for key in SORTS:
        aria = ("ascending" if current == key else "descending" if current == f"-{key}"
                else "none")
        following = f"-{key}" if current == key else key
        headers[key] = {"query": form.query(sort=following), "aria": aria}
    return headers


def _pager_queries(page: Any, query: str) -> dict[str, str]:
    """The URL queries of the previous and next pages: the filters, the cursor of the row at
    the edge of this page and the number the pager shows; page 1 is the plain list."""
    prefix = f"{query}&" if query else ""
    previous = page.number - 1
    return {
        "next": f"{prefix}after={page.next_cursor}&page={page.number + 1}",
        "previous": (f"{prefix}page=1" if previous <= 1
                     else f"{prefix}before={page.previous_cursor}&page={previous}"),
    }


@role_required(*CASE_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    data = _queue_data(request)
    form = _queue_form(request, data)
    filters = form.filters()
    searching = bool(filters.q.strip())
    # Next and previous go by the order's key (a cursor in the URL, beside the filters and the
    # page's number); a search pages by number (its form is POSTed, ADR 20).
    cursors = {} if searching else {"after": data.get("after", ""),
                                    "before": data.get("before", "")}
    # The selector records the page's applicants as an `applicant.list_view`.
    shown = selectors.appeal_queue_page(user=request.user, filters=filters,
                                        page=data.get("page"), per_page=PAGE_SIZE, **cursors)
    query = form.query()
    context: dict[str, Any] = {
        "form": form,
        "page": shown.page,
        "rows": [_row(a, shown.visible[a.pk]) for a in shown.page.object_list],
        "today": clock.today(),
        "calendar": working_calendar(),
        "can_register": access.can_register(request.user),
        "query": query,
        "sort": filters.sort,
        "sorts": _sort_headers(form, filters.sort),
        "searching": searching,
        "pager": _pager_queries(shown.page, query),
        "saved_views": list(saved_views_for(user=request.user)),
        "saved_view_form": SavedViewForm(initial={"query": query}),
        "export_limit": selectors.EXPORT_LIMIT,
        "filter_errors": [(form.fields[name].label if name in form.fields else "", errors)
                          for name, errors in form.errors.items()],
    }
    template = ("workspace/partials/queue_results.html" if is_fragment_request(request)
                else "workspace/queue.html")
    return render(request, template, context)


# The columns of an export: the queue's, and the applicant's name and phone only where this user
# may see them (ст.10), as on the screen.
EXPORT_FORMATS = ("xlsx", "csv")
# A cell that starts with one of these is read as a formula by spreadsheets: kept as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _export_header() -> list[str]:
    return [str(label) for label in (
        _("Number"), _("Received"), _("Priority"), _("Applicant"), _("Phone"), _("Channel"),
        _("Summary"), _("Topic"), _("Territory"), _("Executors"), _("Control date"), _("Status"),
        _("Answer: date and index"), _("Removed from control"))]


def _export_row(appeal: Any, visible: bool) -> list[Any]:
    row = _row(appeal, visible)
    applicant = appeal.applicant
    if applicant is None:
        name, phone = str(_("Anonymous")), ""
    elif visible:
        name, phone = applicant.display_name, applicant.phone or ""
    else:
        name, phone = applicant.masked_name, ""
    answer = ""
    if appeal.answer_number or appeal.answer_date:
        answer = " ".join(filter(None, [
            appeal.answer_date.strftime("%d.%m.%Y") if appeal.answer_date else "",
            f"№ {appeal.answer_number}" if appeal.answer_number else ""]))
    closed = timezone.localtime(appeal.closed_at).replace(tzinfo=None) if appeal.closed_at else None
    return [_cell(v) for v in (
        appeal.number,
        timezone.localtime(appeal.received_at).replace(tzinfo=None),
        str(_("yes")) if appeal.priority else "",
        name, phone,
        appeal.get_channel_display(),
        # The substance is the appeal's content: it goes out with the applicant or not at all.
        appeal.summary if visible else "",
        "; ".join(f"{s.code} {s.name}" for s in row["topics"]),
        reads.territory_label(appeal.territory),
        ", ".join(row["executors"]),
        appeal.due_date,
        appeal.get_status_display(),
        answer,
        closed,
    )]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes spreadsheets read the file as UTF-8 (Cyrillic).
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(["" if v is None else
                               v.strftime("%d.%m.%Y %H:%M") if isinstance(v, datetime) else
                               v.strftime("%d.%m.%Y") if isinstance(v, date) else v
                               for v in row])


def _xlsx(header: list[str], rows: Iterator[list[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(_("Appeals"))[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    # openpyxl's own writer (Workbook.save calls it): a file in memory, nothing stored.
    save_workbook(book, out)
    return out.getvalue()


@role_required(*CASE_ROLES)
def queue_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered queue as a file (the URL's filters; the text search is not in a URL, so not
    here). The selector records the export (`appeal.export`) and bounds it."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        fmt = "xlsx"
    data = _queue_data(request)
    form = _queue_form(request, data)
    try:
        # The rows may come from the read replica (ADR 28); the record of the export is written
        # to the primary.
        with db.reporting():
            exported = selectors.appeal_export_rows(user=request.user, filters=form.filters(),
                                                    fmt=fmt)
    except AppealsError as exc:
        messages.error(request, exc.message)
        query = form.query()
        return redirect(reverse("workspace:queue") + (f"?{query}" if query else ""))
    header = _export_header()
    rows = (_export_row(a, exported.visible[a.pk]) for a in exported.appeals)
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            _csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx(header, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="appeals-{stamp}.{fmt}"'
    return response


@role_required(*CASE_ROLES)
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = ""
    if form.is_valid():
        try:
            # The service keeps the filters only (never a search term), and so does the redirect.
            view = saved_view_service(actor=request.user, name=form.cleaned_data["name"],
                                      query=form.cleaned_data["query"])
        except AccountsError as exc:
            messages.error(request, exc.message)
        else:
            query = view.query
            messages.success(request, _("The view is saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("workspace:queue") + (f"?{query}" if query else ""))


@role_required(*CASE_ROLES)
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        saved_view_delete_service(actor=request.user, pk=pk)
    except AccountsError as exc:
        if exc.http_status == 404:
            raise Http404 from exc
        raise
    messages.success(request, _("The view is deleted."))
    return redirect(safe_next(request, reverse("workspace:queue")))


TABS: dict[str, dict[str, Any]] = {
    "new": {"status": AssignmentStatus.ASSIGNED},
    "work": {"status": AssignmentStatus.IN_WORK},
    "revision": {"status": AssignmentStatus.FOR_REVISION},
    "overdue": {"overdue": True},
    "answered": {"status": AssignmentStatus.ANSWERED},
}


@role_required(Role.EXECUTOR)
def my_assignments(request: HttpRequest) -> HttpResponse:
    authority = access.executor_authority(request.user)
    tab = request.GET.get("tab", "new")
    if tab not in TABS:
        tab = "new"
    context: dict[str, Any] = {"authority": authority, "tab": tab, "today": clock.today()}
    if authority is not None:
        counts = selectors.assignment_counts_for(user=request.user, authority_id=authority.pk,
                                                 tabs=TABS)
        # The selector records the page's applicants as an `applicant.list_view`.
        shown = selectors.assignment_page_for(
            user=request.user, authority_id=authority.pk, page=request.GET.get("page"),
            per_page=PAGE_SIZE, where=f"my_assignments:{tab}", count=counts[tab], **TABS[tab])
        context |= {
            "counts": counts,
            "page": shown.page,
            "rows": [{"assignment": a, "appeal": a.question.appeal,
                      "visible": shown.visible[a.question.appeal_id],
                      "actions": access.assignment_actions(user=request.user, assignment=a)}
                     for a in shown.page.object_list],
            "query": f"tab={tab}",
        }
    return render(request, "workspace/my_assignments.html", context)
