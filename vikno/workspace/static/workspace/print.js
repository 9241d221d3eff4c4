// The "Print" button of the registration-control card (no inline scripts under the CSP).
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
