// Keeps the checklist's answers in this browser (localStorage) as the user goes; nothing is sent
// anywhere until the user asks for results or a download. Works as an enhancement: without
// JavaScript the form still posts normally.
(function () {
  "use strict";
  var KEY = "kb-answers-v1";
  var FIELDS = ["organisation", "country", "actor_type", "date", "respondent"];
  var form = document.getElementById("checklist");
  if (!form || !window.localStorage) { return; }

  function collect() {
    var data = { ticked: [], not_applicable: [], notes: {}, organisation: "", country: "", actor_type: "", date: "",
                 respondent: "" };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name === "ticked" && el.checked) { data.ticked.push(el.value); }
      else if (el.name === "not_applicable" && el.checked) { data.not_applicable.push(el.value); }
      else if (el.name && el.name.indexOf("note_") === 0 && el.value) { data.notes[el.name.slice(5)] = el.value; }
      else if (FIELDS.indexOf(el.name) !== -1) { data[el.name] = el.value; }
    });
    return data;
  }

  function apply(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name === "ticked") { el.checked = data.ticked.indexOf(el.value) !== -1; }
      else if (el.name === "not_applicable") { el.checked = data.not_applicable.indexOf(el.value) !== -1; }
      else if (el.name && el.name.indexOf("note_") === 0) { el.value = (data.notes || {})[el.name.slice(5)] || ""; }
      else if (FIELDS.indexOf(el.name) !== -1) { el.value = data[el.name] || ""; }
    });
  }

  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(collect())); } catch (e) { /* storage full or disabled */ }
  }

  if (form.getAttribute("data-loaded") === "1") {
    save();  // answers just loaded from a file replace what was stored
  } else {
    try {
      var stored = JSON.parse(localStorage.getItem(KEY) || "null");
      if (stored && stored.ticked) { apply(stored); }
    } catch (e) { localStorage.removeItem(KEY); }
  }
  form.addEventListener("change", save);
  form.addEventListener("input", save);
})();
