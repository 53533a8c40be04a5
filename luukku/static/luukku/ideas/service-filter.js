// Narrow the submit form's service checkboxes by name as the user types. Without this script
// the groups still open and close by themselves: the form works the same, only longer to scan.
(function () {
  "use strict";

  function normalise(text) {
    return text.toLocaleLowerCase().trim();
  }

  function setUp(filter) {
    var fieldset = filter.closest("fieldset");
    var input = filter.querySelector("input[type=search]");
    var status = filter.querySelector("[role=status]");
    var groups = Array.prototype.slice.call(fieldset.querySelectorAll("details"));
    var initiallyOpen = groups.map(function (group) { return group.open; });

    function announce(count) {
      var text = count === 0 ? filter.dataset.none
        : count === 1 ? filter.dataset.one
          : filter.dataset.many.replace("__COUNT__", String(count));
      status.textContent = text;
    }

    function apply() {
      var query = normalise(input.value);
      var matches = 0;
      groups.forEach(function (group, index) {
        var shown = 0;
        group.querySelectorAll("li").forEach(function (item) {
          var checkbox = item.querySelector("input");
          var visible = !query || checkbox.checked ||
            normalise(item.textContent).indexOf(query) !== -1;
          item.hidden = !visible;
          if (visible) { shown += 1; }
          if (query && visible && !checkbox.checked) { matches += 1; }
        });
        group.hidden = query !== "" && shown === 0;
        group.open = query ? shown > 0 : initiallyOpen[index];
      });
      if (query) { announce(matches); } else { status.textContent = ""; }
    }

    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(apply, 150);
    });
    // Enter in the filter box must not send the whole form half-filled.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); apply(); }
    });
    filter.hidden = false;
  }

  document.querySelectorAll("[data-service-filter]").forEach(setUp);
}());
