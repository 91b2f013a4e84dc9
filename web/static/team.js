// The team page's file input, enhanced: files chosen one at a time are added to those already
// chosen (held in a DataTransfer and handed back to the input), listed with a button to remove
// each. Without JavaScript, or without DataTransfer, the input takes several files at once as usual.
(function () {
  "use strict";
  var input = document.getElementById("files");
  var list = document.getElementById("file-list");
  var box = document.getElementById("files-chosen");
  var title = document.getElementById("files-chosen-title");
  var hint = document.getElementById("files-hint");
  if (!input || !list || !box || typeof DataTransfer === "undefined") { return; }
  var chosen;
  try { chosen = new DataTransfer(); } catch (e) { return; }
  var label = title ? title.textContent : "";
  if (hint) { hint.hidden = false; }

  function key(file) { return file.name + "\u0000" + file.size + "\u0000" + file.lastModified; }

  function render() {
    list.textContent = "";
    Array.prototype.forEach.call(chosen.files, function (file, n) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = file.name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary small";
      remove.textContent = list.getAttribute("data-remove");
      remove.setAttribute("aria-label", list.getAttribute("data-remove") + " " + file.name);
      remove.addEventListener("click", function () { drop(n); });
      item.appendChild(name);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(remove);
      list.appendChild(item);
    });
    box.hidden = chosen.files.length === 0;
    if (title) { title.textContent = label + " (" + chosen.files.length + ")"; }
  }

  function drop(index) {
    var next = new DataTransfer();
    Array.prototype.forEach.call(chosen.files, function (file, n) { if (n !== index) { next.items.add(file); } });
    chosen = next;
    input.files = chosen.files;
    render();
    input.focus();
  }

  input.addEventListener("change", function () {
    var seen = {};
    Array.prototype.forEach.call(chosen.files, function (file) { seen[key(file)] = true; });
    Array.prototype.forEach.call(input.files, function (file) {
      if (!seen[key(file)]) { chosen.items.add(file); seen[key(file)] = true; }
    });
    input.files = chosen.files;  // a new choice adds to the list instead of replacing it
    render();
  });
})();
