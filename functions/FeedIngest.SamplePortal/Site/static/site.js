/* Sample portal scripts: clock, lazy images, view counter stub. */
var PortalSite = (function () {
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function clock() {
    var el = document.getElementById("clock");
    if (!el) return;
    var d = new Date();
    var days = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
    el.textContent = days[d.getDay()] + ", " + pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
  }
  function lazy() {
    var imgs = document.querySelectorAll("img[data-src]");
    for (var i = 0; i < imgs.length; i++) imgs[i].src = imgs[i].getAttribute("data-src");
  }
  document.addEventListener("DOMContentLoaded", function () { clock(); lazy(); });
  return { countView: function (id) { /* the real portal posts to /api/view/{id}; the sample does not count */ } };
})();
