// Conveniences of the digital report; the page is complete without them (JavaScript off: no search box, the
// browser's own tooltips, unsorted tables). Reads its data only from the page: the area list is
// the JSON element #gebiete-daten, the map titles are the SVG <title> of each area.
(function () {
  "use strict";
  function norm(s) {
    return s.toLowerCase().replace(/ß/g, "ss").normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim();
  }

  // ------------------------------------------------------------------ search: an area by id or name
  function search() {
    var form = document.getElementById("suche"), data = document.getElementById("gebiete-daten");
    if (!form || !data) return;
    var areas = JSON.parse(data.textContent), input = form.querySelector("input"),
        list = document.getElementById("suche-treffer"), status = document.getElementById("suche-status");
    form.hidden = false;
    function find(q) {
      q = norm(q);
      if (!q) return [];
      var exact = areas.filter(function (a) { return norm(a[0]) === q || norm(a[1]) === q || norm(a[0] + " " + a[1]) === q; });
      if (exact.length) return exact;
      return areas.filter(function (a) { return norm(a[0] + " " + a[1]).indexOf(q) >= 0; });
    }
    function go(href) { // "#steckbrief-…" in this page, or "steckbriefe.html#…" (a separate volume)
      if (href.charAt(0) !== "#") { location.href = href; return; }
      var anchor = href.slice(1), target = document.getElementById(anchor);
      if (!target) return;
      location.hash = anchor;
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
    input.addEventListener("input", function () {
      var hits = find(input.value).slice(0, 8);
      list.textContent = "";
      hits.forEach(function (a) {
        var li = document.createElement("li"), link = document.createElement("a");
        link.href = a[2];
        link.textContent = a[0] + " " + a[1];
        li.appendChild(link);
        list.appendChild(li);
      });
      status.textContent = input.value.trim() ? hits.length + " Treffer" : "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var hits = find(input.value);
      if (hits.length) go(hits[0][2]);
      else status.textContent = "Kein Gebiet gefunden.";
    });
  }

  // ------------------------------------------------------------------ maps: title of an area on hover and focus
  function maps() {
    var tip = document.createElement("div");
    tip.id = "karten-titel";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    document.querySelectorAll(".gebiet").forEach(function (area) {
      var title = area.querySelector("title");
      if (!title) return;
      area.setAttribute("data-titel", title.textContent);
      area.setAttribute("aria-label", title.textContent);
      title.remove(); // the page's own tooltip replaces the browser's
    });
    function show(area, x, y) {
      tip.textContent = area.getAttribute("data-titel");
      tip.hidden = false;
      var box = tip.getBoundingClientRect(), w = document.documentElement.clientWidth;
      tip.style.left = Math.max(4, Math.min(x + 12, w - box.width - 4)) + "px";
      tip.style.top = Math.max(4, y - box.height - 12) + "px";
    }
    function hide() { tip.hidden = true; }
    function area(event) { return event.target.closest && event.target.closest(".gebiet"); }
    document.addEventListener("mouseover", function (e) { var a = area(e); if (a) show(a, e.clientX, e.clientY); });
    document.addEventListener("mousemove", function (e) { var a = area(e); if (a) show(a, e.clientX, e.clientY); });
    document.addEventListener("mouseout", function (e) { if (area(e)) hide(); });
    document.addEventListener("focusin", function (e) {
      var a = area(e);
      if (!a) return;
      var r = a.getBoundingClientRect();
      show(a, r.left + r.width / 2, r.top);
    });
    document.addEventListener("focusout", function (e) { if (area(e)) hide(); });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  }

  // ------------------------------------------------------------------ tables: sort by a column
  function key(text) {
    var t = text.replace(/[\s\u00a0%]/g, "").replace(/\u2212/g, "-").replace(/\((.*)\)$/, "");
    if (/^-?[\d.]+(,\d+)?$/.test(t)) return parseFloat(t.replace(/\./g, "").replace(",", "."));
    return null;
  }
  function sortable(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || head.rows.length !== 1 || !body || body.querySelector("[rowspan],[colspan]")) return;
    Array.prototype.forEach.call(head.rows[0].cells, function (th, col) {
      if (th.colSpan > 1) return;
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(head.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
          var text = row.cells[col] ? row.cells[col].textContent : "";
          return { row: row, i: i, text: text, num: key(text) };
        });
        rows.sort(function (a, b) {
          var d;
          if (a.num !== null && b.num !== null) d = a.num - b.num;
          else if (a.num !== null || b.num !== null) return a.num === null ? 1 : -1; // "." and "x" last
          else d = a.text.localeCompare(b.text, "de");
          return (up ? d : -d) || a.i - b.i;
        });
        rows.forEach(function (r) { body.appendChild(r.row); });
      });
    });
  }

  search();
  maps();
  document.querySelectorAll("table.daten").forEach(sortable);
})();
