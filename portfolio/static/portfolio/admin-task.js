// The task page in the admin: "?them-bao-cao=1" (the links of "Việc của tôi") opens the new report's form at once.
// Django's inlines.js adds the "Thêm báo cáo" button when the document is ready; wait for it rather than for an event.
(function () {
  if (!/[?&]them-bao-cao=1/.test(window.location.search)) return;
  var tries = 0;
  function openReportForm() {
    var add = document.querySelector("#reports-group .add-row a");
    if (!add) {
      if (tries++ < 100) window.setTimeout(openReportForm, 50);
      return;
    }
    if (!document.querySelector("#reports-group .inline-related:not(.empty-form)")) add.click();
    var form = document.querySelector("#reports-group .inline-related:not(.empty-form)") || document.getElementById("reports-group");
    form.scrollIntoView();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", openReportForm);
  else openReportForm();
})();

// After a report is sent the page comes back at the reports ("#reports-group"): the confirmation goes there too,
// where the reader is looking, not only at the top of a long page.
document.addEventListener("DOMContentLoaded", function () {
  if (window.location.hash !== "#reports-group") return;
  var messages = document.querySelector("ul.messagelist"), group = document.getElementById("reports-group");
  if (!messages || !group) return;
  group.insertBefore(messages, group.firstChild);
  group.scrollIntoView();
});
