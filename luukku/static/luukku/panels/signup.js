// Sign-up form: show the guardian's section only to those who may be under 15. Without this
// script the section is always shown and the server says whether it is needed.
(function () {
  "use strict";
  var section = document.getElementById("guardian");
  var birthYear = document.getElementById("id_birth_year");
  if (!section || !birthYear) {
    return;
  }
  var limit = parseInt(section.getAttribute("data-guardian-age"), 10);
  var thisYear = parseInt(section.getAttribute("data-this-year"), 10);
  var hasErrors = section.querySelector(".field-error") !== null;

  function update() {
    var year = parseInt(birthYear.value, 10);
    var mayBeUnder = !isNaN(year) && thisYear - year <= limit;
    section.hidden = !(mayBeUnder || hasErrors);
  }

  birthYear.addEventListener("input", update);
  update();
})();
