// The task page in the admin: "?them-bao-cao=1" (the links of "Việc của tôi") opens the new report's form at once.
window.addEventListener("load", function () {
  if (!/[?&]them-bao-cao=1/.test(window.location.search)) return;
  var add = document.querySelector("#reports-group .add-row a");
  if (add && !document.querySelector("#reports-group .inline-related:not(.empty-form)")) add.click();
  var group = document.getElementById("reports-group");
  if (group) group.scrollIntoView();
});
