// The story change page's heartbeat: says the page is open (so others see who
// is editing), and saves a draft's form every beat while someone types. The page
// reads and saves without it; this only spares a lost draft and a surprise.
const panel = document.getElementById("desk-together");
const form = document.getElementById("story_form");

if (panel && form) {
  const beat = Number(panel.dataset.beat || 30) * 1000;
  const autosaveUrl = panel.dataset.autosaveUrl;
  const presenceUrl = panel.dataset.presenceUrl;
  const status = panel.querySelector("[data-autosave-status]");
  const others = panel.querySelector("[data-others]");
  const version = form.querySelector("input[name=base_version]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let dirty = false;
  let stopped = false;

  form.addEventListener("input", () => {
    dirty = true;
  });
  // The editor tells its text box; the box's input event bubbles to the form.
  form.addEventListener("submit", () => {
    stopped = true;
  });

  function showOthers(names) {
    others.textContent = names.length
      ? `Also open by ${names.join(", ")}: save with care, a save older ` +
        "than theirs is refused."
      : "";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    return { ok: response.ok, code: response.status, data: await response.json() };
  }

  async function tick() {
    if (stopped) return;
    try {
      if (autosaveUrl && dirty) {
        dirty = false;
        const { ok, data } = await post(autosaveUrl, new FormData(form));
        if (ok) {
          version.value = data.version;
          status.textContent = `Draft saved ${data.saved}.`;
          showOthers(data.others);
        } else {
          status.textContent = data.error;
          if (data.stale) stopped = true;
          else dirty = true;
        }
        return;
      }
      const body = new FormData();
      body.append("csrfmiddlewaretoken", token);
      const { ok, data } = await post(presenceUrl, body);
      if (ok) showOthers(data.others);
    } catch {
      status.textContent = "Not saved: the desk cannot be reached. Keep this page open.";
      dirty = true;
    }
  }

  setInterval(tick, beat);
  window.addEventListener("pagehide", () => {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("closed", "1");
    navigator.sendBeacon(presenceUrl, body);
  });
}
