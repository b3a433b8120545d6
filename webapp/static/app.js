// Alimento's small client: toasts, confirm dialogs, grid selection, progress bars.
// No inline scripts anywhere (the CSP forbids them); everything hooks in from here.
(function () {
  "use strict";

  function showToast(level, message) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "info");
    toast.setAttribute("role", "status");
    toast.textContent = message;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  function fadeExisting() {
    document.querySelectorAll("#toasts .toast").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 8000);
    });
  }

  var dialog, pendingConfirm;
  function askConfirm(message, onOk) {
    dialog = dialog || document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(message)) onOk();
      return;
    }
    dialog.querySelector(".dialog-message").textContent = message;
    pendingConfirm = onOk;
    dialog.returnValue = "";
    dialog.showModal();
  }

  function initDialog() {
    dialog = document.getElementById("confirm-dialog");
    if (!dialog) return;
    dialog.addEventListener("close", function () {
      var callback = pendingConfirm;
      pendingConfirm = null;
      if (dialog.returnValue === "ok" && callback) callback();
    });
  }

  function applyWidths(root) {
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseFloat(el.dataset.width) || 0)) + "%";
    });
  }

  function updateSelection(grid) {
    if (!grid) return;
    var count = grid.querySelectorAll('input[name="ids"]:checked').length;
    var all = grid.querySelector('input[name="all_matching"]');
    var label = grid.querySelector(".selection-count");
    if (label) {
      label.textContent = all && all.checked ? "all matching rows selected" : count + " selected";
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      var grid = target.closest(".grid");
      grid.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = target.checked; });
      updateSelection(grid);
    } else if (target.matches('input[name="ids"], input[name="all_matching"]')) {
      updateSelection(target.closest(".grid"));
    }
  });

  // Plain (non-htmx) forms: a submit button or a chosen mass action with data-confirm asks first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    var submitter = event.submitter;
    var message = submitter && submitter.dataset.confirm;
    if (form.classList.contains("grid-mass")) {
      var action = form.querySelector('select[name="action"]');
      var selected = form.querySelectorAll('input[name="ids"]:checked').length;
      var all = form.querySelector('input[name="all_matching"]');
      if (!action || !action.value) { event.preventDefault(); showToast("error", "Choose an action."); return; }
      if (!selected && !(all && all.checked)) { event.preventDefault(); showToast("error", "Select at least one row."); return; }
      var option = action.options[action.selectedIndex];
      message = message || (option && option.dataset.confirm);
    }
    if (!message) return;
    event.preventDefault();
    askConfirm(message, function () {
      form.dataset.confirmed = "1";
      if (submitter && submitter.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = submitter.name; hidden.value = submitter.value;
        form.appendChild(hidden);
      }
      form.submit();
    });
  });

  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question) return;
    event.preventDefault();
    askConfirm(event.detail.question, function () { event.detail.issueRequest(true); });
  });

  document.body.addEventListener("toast", function (event) {
    var detail = event.detail && event.detail.value !== undefined ? event.detail.value : event.detail;
    (Array.isArray(detail) ? detail : [detail]).forEach(function (t) {
      if (t && t.message) showToast(t.level, t.message);
    });
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 403) showToast("error", "You are not allowed to do that.");
    else if (status >= 500) showToast("error", "The server failed (" + status + "). Try again.");
    else if (status === 400) showToast("error", "The request was refused. Reload the page and try again.");
  });

  document.body.addEventListener("htmx:sendError", function () {
    showToast("error", "The server cannot be reached.");
  });

  document.addEventListener("htmx:load", function (event) { applyWidths(event.target); });

  document.addEventListener("click", function (event) {
    // Close other open menus when one opens.
    var summary = event.target.closest(".mainnav summary");
    document.querySelectorAll(".mainnav details[open]").forEach(function (d) {
      if (!summary || d !== summary.parentElement) d.removeAttribute("open");
    });
  });

  initDialog();
  fadeExisting();
  applyWidths(document);
})();
