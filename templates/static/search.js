// Start Pagefind's UI; it finds its bundle from this page's relative <script> URL.
window.addEventListener("DOMContentLoaded", function () {
  if (typeof PagefindUI === "undefined") return;
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
});
