// Start Pagefind's UI over the site's search bundles, or say on the page why search cannot work here.
window.addEventListener("DOMContentLoaded", function () {
  var show = function (id) { document.getElementById(id).hidden = false; };
  // Pagefind loads its index with fetch() and import(), which browsers refuse to file:// pages.
  if (window.location.protocol === "file:") { show("search-from-disk"); return; }
  var script = document.querySelector('script[src$="pagefind-ui.js"]');
  if (typeof PagefindUI === "undefined" || !script) { show("search-failed"); return; }
  var base = script.src.replace(/pagefind-ui\.js$/, "");
  // The index is one bundle per period (pagefind/bundles.json lists them, newest first):
  // the newest is the primary one and the others are merged into it.
  fetch(base + "bundles.json", { cache: "no-cache" })
    .then(function (response) {
      if (!response.ok) throw new Error("bundles.json: HTTP " + response.status);
      return response.json();
    })
    .then(function (listing) {
      var bundles = listing.bundles.map(function (path) { return base + path; });
      if (!bundles.length) throw new Error("bundles.json lists no bundle");
      if (listing.pending) catchUp(base);
      // The UI loads the index only at the first query, and stays on "Searching…" if that
      // fails: load it first (the UI's own import then reuses the module), then start the UI.
      return import(bundles[0] + "pagefind.js").then(function () { start(bundles); });
    })
    .catch(function (error) {
      console.error(error);
      show("search-failed");
    });
});

// The preview server re-indexes after an edit: say so, and reload with the query once it is done.
function catchUp(base) {
  document.getElementById("search-catching-up").hidden = false;
  var poll = function () {
    fetch(base + "bundles.json", { cache: "no-cache" })
      .then(function (response) { return response.json(); })
      .then(function (listing) {
        if (listing.pending) { setTimeout(poll, 1000); return; }
        var input = document.querySelector("#search input");
        var url = new URL(window.location.href);
        if (input && input.value) url.searchParams.set("q", input.value);
        window.location.replace(url.toString());
      })
      .catch(function () { setTimeout(poll, 2000); });
  };
  setTimeout(poll, 1000);
}

function start(bundles) {
  new PagefindUI({
    element: "#search",
    bundlePath: bundles[0],
    mergeIndex: bundles.slice(1).map(function (path) { return { bundlePath: path }; }),
    showSubResults: false,
    showImages: false,
    resetStyles: false,
  });
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
