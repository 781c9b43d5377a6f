// A touch-friendly people picker: enhances <select multiple data-people-picker="URL">.
// The select stays in the form (hidden) and holds the chosen people as selected options;
// the user types a name, taps a match to add it as a chip, taps x to remove it.
// Results come from the JSON endpoint (a few matches), never from a list of the whole roster.
(function () {
  "use strict";

  function chip(select, option, chips) {
    var item = document.createElement("li");
    item.className = "chip";
    item.textContent = option.textContent + " ";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.setAttribute("aria-label", "Remove " + option.textContent);
    remove.textContent = "×";
    remove.addEventListener("click", function () {
      option.remove();
      item.remove();
    });
    item.appendChild(remove);
    chips.appendChild(item);
  }

  function enhance(select) {
    var url = select.getAttribute("data-people-picker");
    var box = document.createElement("div");
    box.className = "people-picker";
    var chips = document.createElement("ul");
    chips.className = "chips";
    var input = document.createElement("input");
    input.type = "search";
    input.autocomplete = "off";
    input.id = select.id + "-search";
    input.placeholder = "Type a name or staff number";
    input.setAttribute("aria-label", "Find a person to add");
    var list = document.createElement("ul");
    list.className = "picker-results";
    list.setAttribute("role", "listbox");
    box.append(chips, input, list);
    select.hidden = true;
    select.after(box);
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) label.setAttribute("for", input.id);
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.selected) chip(select, option, chips);
    });

    var timer = null;
    var asked = 0;
    function show(results) {
      list.innerHTML = "";
      results.forEach(function (person) {
        if (select.querySelector('option[value="' + person.id + '"]')) return;
        var item = document.createElement("li");
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "picker-result";
        pick.setAttribute("role", "option");
        pick.textContent = person.label + (person.detail ? " · " + person.detail : "");
        pick.addEventListener("click", function () {
          var option = new Option(person.label, String(person.id), true, true);
          select.add(option);
          chip(select, option, chips);
          list.innerHTML = "";
          input.value = "";
          input.focus();
        });
        item.appendChild(pick);
        list.appendChild(item);
      });
      if (!list.children.length && input.value.trim()) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = "Nobody else matches “" + input.value.trim() + "”.";
        list.appendChild(none);
      }
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = input.value.trim();
      if (!typed) { list.innerHTML = ""; return; }
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(url + "?q=" + encodeURIComponent(typed), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { if (mine === asked) show(data.results || []); })
          .catch(function () { if (mine === asked) show([]); });
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // Enter picks the first match instead of sending the form
        event.preventDefault();
        var first = list.querySelector(".picker-result");
        if (first) first.click();
      }
    });
  }

  document.querySelectorAll("select[data-people-picker]").forEach(enhance);
})();
