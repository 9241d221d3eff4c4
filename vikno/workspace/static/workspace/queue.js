// The queue: filters travel in the URL (GET), the text search only in a POST body.
// A request of the filters, a sort link or a pager link while a search term is typed goes as a
// POST of the search form to the filters' URL, so the search stays applied and out of the URL.
(function () {
  "use strict";

  function searchTerm() {
    var input = document.getElementById("id_q");
    return input ? input.value.trim() : "";
  }

  function withoutEmpty(formData) {
    var kept = [];
    formData.forEach(function (value, key) {
      if (value !== "") { kept.push([key, value]); }
    });
    Array.from(new Set(Array.from(formData.keys()))).forEach(function (key) { formData.delete(key); });
    kept.forEach(function (pair) { formData.append(pair[0], pair[1]); });
    return kept;
  }

  function queueUrl(path, pairs) {
    var url = new URL(path, window.location.href);
    if (pairs) {
      url.search = new URLSearchParams(pairs).toString();
    }
    return url.pathname + url.search;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    var filters = document.getElementById("queue-filters");
    var search = document.getElementById("queue-search");
    var results = document.getElementById("queue-results");
    if (!filters || !search || !results) { return; }
    if (detail.elt === search) {
      // The search goes to the URL of the filters now shown.
      detail.path = window.location.pathname + window.location.search;
      return;
    }
    if (detail.verb !== "get" || !(detail.elt === filters || results.contains(detail.elt))) { return; }
    var pairs = detail.elt === filters ? withoutEmpty(detail.formData) : null;
    if (searchTerm() === "") { return; }
    event.preventDefault();
    var url = queueUrl(detail.path, pairs);
    window.history.pushState({}, "", url);
    htmx.ajax("POST", url, { source: search, target: "#queue-results" });
  });
})();
