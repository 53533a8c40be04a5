/* Shows a conditional question only while its condition holds, as the server decides it
   (luukku/surveys/conditions.py). Without scripts every question is shown with a hint, and
   the server drops answers to questions whose condition does not hold. */
(function () {
  "use strict";

  function chosen(form, name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { values.push(input.value); }
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function met(condition, values) {
    if (values.length === 0) { return false; }
    var expected = condition.value;
    var number = Number(values[0]);
    var isNumber = values.length === 1 && /^-?\d+$/.test(values[0]);
    switch (condition.operator) {
      case "lte": return isNumber && number <= Number(expected);
      case "gte": return isNumber && number >= Number(expected);
      case "eq": return values.indexOf(String(expected)) !== -1;
      case "in":
        var list = (Array.isArray(expected) ? expected : [expected]).map(String);
        return values.some(function (value) { return list.indexOf(value) !== -1; });
      default: return false;
    }
  }

  function update(form) {
    // In page order, so a question whose trigger is hidden is hidden too.
    form.querySelectorAll("[data-condition]").forEach(function (block) {
      var condition = JSON.parse(block.getAttribute("data-condition"));
      var trigger = form.querySelector("[data-question-field='" + condition.field + "']");
      var shown = !(trigger && trigger.hidden) && met(condition, chosen(form, condition.field));
      block.hidden = !shown;
    });
  }

  document.querySelectorAll("form[data-survey-form]").forEach(function (form) {
    form.querySelectorAll(".survey-condition").forEach(function (hint) { hint.hidden = true; });
    form.addEventListener("change", function () { update(form); });
    form.addEventListener("input", function () { update(form); });
    update(form);
  });
})();
