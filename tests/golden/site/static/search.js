// Start Pagefind's UI, or say on the page why search cannot work here.
window.addEventListener("DOMContentLoaded", function () {
  var show = function (id) { document.getElementById(id).hidden = false; };
  // Pagefind loads its index with fetch() and import(), which browsers refuse to file:// pages.
  if (window.location.protocol === "file:") { show("search-from-disk"); return; }
  var script = document.querySelector('script[src$="pagefind-ui.js"]');
  if (typeof PagefindUI === "undefined" || !script) { show("search-failed"); return; }
  // The UI loads the index only at the first query, and stays on "Searching…" if that fails:
  // load it first (the UI's own import then reuses the module), and start the UI once it is there.
  import(script.src.replace(/pagefind-ui\.js$/, "pagefind.js")).then(start, function (error) {
    console.error(error);
    show("search-failed");
  });
});

function start() {
  new PagefindUI({ element: "#search", showSubResults: false, showImages: false, resetStyles: false });
  // The UI's input has only a placeholder: give it an accessible name once it exists.
  var root = document.querySelector("#search");
  var named = function () {
    var input = root.querySelector("input");
    if (!input) return false;
    input.setAttribute("aria-label", "Search articles");
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { input.value = q; input.dispatchEvent(new Event("input")); }
    return true;
  };
  if (!named()) {
    var watch = new MutationObserver(function () { if (named()) watch.disconnect(); });
    watch.observe(root, { childList: true, subtree: true });
  }
}
