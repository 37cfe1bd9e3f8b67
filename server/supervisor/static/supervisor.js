// The supervisor pages' only script, loaded from a file: the Content-Security-Policy runs no inline
// script or on*= attribute (server/security.py). Behaviour hangs on data-* attributes instead.

// <form data-confirm="Question?">: ask before sending; Cancel sends nothing.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
