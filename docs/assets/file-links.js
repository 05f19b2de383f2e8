// Opened from a file share (file://), a link to a folder ("roles/staff/") shows a folder listing
// instead of the page: point every such link at the folder's index.html. Over http nothing changes.
(function () {
  if (location.protocol !== "file:") return;
  function fix(link) {
    var url = new URL(link.getAttribute("href"), location.href);
    if (url.protocol === "file:" && url.pathname.endsWith("/")) {
      url.pathname += "index.html";
      link.href = url.href;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("a[href]").forEach(fix);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link) fix(link);
  }, true);
})();
