// Warns two minutes before the idle session ends (WCAG 2.2.1), after HMRC's timeout dialog.
// The page states the end time without JavaScript; this opens a modal <dialog> (focus moved into
// it and kept there, Escape means "Stay signed in"), counts down, and "Stay signed in" posts to
// the server, which starts the idle timer again. At zero it goes to the sign-in page.
const dialog = document.getElementById("app-timeout");

if (dialog && typeof dialog.showModal === "function") {
  const warn = Number(dialog.dataset.warn) * 1000;
  const countdown = document.getElementById("app-timeout-countdown");
  const live = document.getElementById("app-timeout-live");
  const title = document.getElementById("app-timeout-title");
  let deadline = Date.now() + Number(dialog.dataset.remaining) * 1000;
  let opener = null;
  let warnTimer = null;
  let tick = null;
  let lastSaid = "";

  const words = (ms) => {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const minutes = Math.floor(total / 60);
    const seconds = total % 60;
    const part = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;
    if (minutes && seconds) return `${part(minutes, "minute")} ${part(seconds, "second")}`;
    return minutes ? part(minutes, "minute") : part(seconds, "second");
  };

  const update = () => {
    const left = deadline - Date.now();
    if (left <= 0) {
      window.location.assign(dialog.dataset.timedOutUrl);
      return;
    }
    countdown.textContent = words(left);
    // Screen readers hear it at each whole minute and at 30 and 10 seconds, not every second.
    const secs = Math.ceil(left / 1000);
    const say = secs % 60 === 0 || secs === 30 || secs === 10 ? `We will sign you out in ${words(left)}.` : "";
    if (say && say !== lastSaid) live.textContent = lastSaid = say;
  };

  const open = () => {
    if (dialog.open) return;
    opener = document.activeElement;
    lastSaid = "";
    update();
    dialog.showModal();
    title.focus();
    tick = window.setInterval(update, 1000);
  };

  const schedule = () => {
    window.clearTimeout(warnTimer);
    warnTimer = window.setTimeout(open, Math.max(0, deadline - warn - Date.now()));
  };

  const close = () => {
    window.clearInterval(tick);
    live.textContent = "";
    if (dialog.open) dialog.close();
    if (opener && typeof opener.focus === "function") opener.focus();
  };

  const stay = async () => {
    try {
      const response = await fetch(dialog.dataset.keepUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRFToken": dialog.dataset.csrf, "Accept": "application/json" },
      });
      const body = response.ok ? await response.json() : {};
      if (!body.signed_in) { // the session has already ended (its CSRF token with it)
        window.location.assign(dialog.dataset.timedOutUrl);
        return;
      }
      deadline = Date.now() + body.remaining * 1000;
    } catch (error) {
      return; // offline for now: the dialog stays open and the countdown goes on
    }
    close();
    schedule();
  };

  document.getElementById("app-timeout-stay").addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); stay(); }); // Escape
  schedule();
}
