/* The reply-template picker of the answer forms («Шаблон відповіді»).

   The picker is a <select data-template-for="ID of the textarea"> whose options carry the
   template's text in data-text. Choosing one puts the text into the textarea: into an empty one
   as it is, after a blank line into one already written in (nothing typed is lost). The picker
   is hidden until this script marks the page (html.js, see vikno.css), so without JavaScript it
   is simply not there. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.templateFor) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var area = document.getElementById(select.dataset.templateFor);
    if (!option || !option.value || !area || option.dataset.text === undefined) {
      return;
    }
    var text = option.dataset.text;
    var current = area.value.replace(/\s+$/, "");
    area.value = current ? current + "\n\n" + text : text;
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  });
})();
