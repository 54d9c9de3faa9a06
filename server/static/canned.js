// Pickers for the IRI parameters of canned queries: type part of a name, choose a suggestion.
// The visible box holds the name; the hidden input (the one the form sends) holds the IRI.
(function () {
  "use strict";
  function setup(box) {
    var input = box.querySelector("input.picker-text");
    var hidden = box.querySelector("input[type=hidden]");
    var list = box.querySelector("ul.suggestions");
    var timer = null, active = -1, items = [];

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function choose(item) {
      input.value = item.label; hidden.value = item.iri; close();
      box.dispatchEvent(new CustomEvent("picked", { detail: item, bubbles: true }));
    }
    function highlight(k) {
      var options = list.querySelectorAll("li");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === k ? "true" : "false"); });
      active = k;
    }
    function show(found) {
      items = found; list.textContent = "";
      found.forEach(function (item, k) {
        var li = document.createElement("li");
        li.setAttribute("role", "option"); li.id = input.id + "-option-" + k;
        li.textContent = item.label;  // textContent: never HTML
        li.title = item.iri;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      if (!found.length) {
        var none = document.createElement("li"); none.className = "none";
        none.textContent = "no match"; list.appendChild(none);
      }
      list.hidden = false; input.setAttribute("aria-expanded", "true"); active = -1;
    }
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var url = box.dataset.suggest + "?q=" + encodeURIComponent(q) + "&class=" + encodeURIComponent(box.dataset.class);
        fetch(url).then(function (r) { return r.json(); }).then(function (found) {
          if (input.value.trim() === q) show(found);
        });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active]); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.form.addEventListener("submit", function (e) {
      if (input.value.trim() && !hidden.value) {
        e.preventDefault();
        input.setCustomValidity("Choose one of the suggestions");
        input.reportValidity();
        setTimeout(function () { input.setCustomValidity(""); }, 2000);
      }
    });
  }
  document.querySelectorAll(".picker").forEach(setup);
})();
