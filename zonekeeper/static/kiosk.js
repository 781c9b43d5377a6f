// The door kiosk: a keyboard-wedge scanner types the badge code and Enter; the server decides.
// Fail closed: anything but a clear answer from the server shows OFFLINE, never a grant.
(() => {
  "use strict";
  const RESULT_SECONDS = 5;
  const REQUEST_TIMEOUT_MS = 4000;
  const STATUS_EVERY_MS = 10000;

  const body = document.body;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const scanUrl = body.dataset.scanUrl;
  const statusUrl = body.dataset.statusUrl;
  const input = document.getElementById("scan-input");
  const form = document.getElementById("scan-form");
  const panels = {
    ready: document.getElementById("ready"),
    result: document.getElementById("result"),
    emergency: document.getElementById("emergency"),
    offline: document.getElementById("offline"),
  };
  let direction = "in";
  let emergency = null;
  // people whose escort wait this kiosk started and who are not yet paired: {person, until}
  let waits = [];
  let returnTimer = null;
  let countdownTimer = null;
  let busy = false;

  function show(name, state) {
    // the ready panel is never hidden (a hidden input cannot keep the focus): CSS moves it aside
    for (const [key, panel] of Object.entries(panels)) if (key !== "ready") panel.hidden = key !== name;
    body.className = "kiosk state-" + (state || name);
    input.focus({ preventScroll: true });
  }

  function idle() {
    clearTimeout(returnTimer);
    clearInterval(countdownTimer);
    document.getElementById("result-countdown").textContent = "";
    if (emergency) { waits = []; showEmergency(emergency); return; }
    // an escort wait still running comes back on screen; one that ran out says so
    const now = Date.now();
    const running = waits.filter(w => w.until > now);
    const expired = waits.filter(w => w.until <= now);
    waits = running;
    if (expired.length) {
      showExpired(expired.map(w => w.person));
    } else if (running.length) {
      const wait = running[running.length - 1];
      showResult({ outcome: "escort_pending", headline: "ESCORT NEEDED", person: wait.person,
                   display_text: wait.text, escort_window_seconds: Math.ceil((wait.until - now) / 1000),
                   event_id: "wait-" + now }, true);
    } else {
      show("ready");
    }
  }

  function showExpired(people) {
    document.getElementById("result-headline").textContent = "ESCORT WAIT EXPIRED";
    document.getElementById("result-person").textContent = people.join(", ");
    document.getElementById("result-detail").textContent =
      "Escort wait expired: badge again with your escort.";
    setNotes([]);
    show("result", "expired");
    body.dataset.lastEvent = "expired-" + Date.now();
    returnTimer = setTimeout(idle, RESULT_SECONDS * 1000);
  }

  function setNotes(notes) {
    const list = document.getElementById("result-notes");
    list.replaceChildren(...notes.map(([kind, text]) => {
      const item = document.createElement("li");
      item.className = "note note-" + kind;
      item.textContent = text;
      return item;
    }));
    list.hidden = notes.length === 0;
  }

  // a server whose text already carries a note's sentence (the pure decision's answers do):
  // the note shows it, boxed, so the detail does not say it twice
  const NOTE_SENTENCES = {
    waiting: /\s*Still waiting for a Level 2 escort:[^.]*\./i,
    passback: /\s*(Note: )?No exit recorded[^.]*\./i,
    ack: /\s*Logged: [^.]*\./,
  };

  function withoutNotes(text, notes) {
    let detail = text;
    for (const [kind] of notes) if (NOTE_SENTENCES[kind]) detail = detail.replace(NOTE_SENTENCES[kind], "");
    return detail.trim() || text;
  }

  // what the answer means beyond its outcome: pairing, people still waiting, passback, emergency
  function notesFor(data, state, sentDirection) {
    const notes = [];
    const still = data.waiting_for_escort || [];
    const flags = data.flags || [];
    if (state === "grant" && still.length) {
      notes.push(["waiting", "Still waiting for a Level 2 escort: " + still.join(", ") +
        " (not admitted)."]);
    }
    if (flags.includes("passback")) {
      notes.push(["passback", "No exit recorded since the last entry: badge out when you leave."]);
    }
    if (state === "emergency") {
      const leaving = sentDirection === "out";
      const zone = leaving ? body.dataset.fromZone : body.dataset.toZone;
      const who = data.person || "unidentified badge";
      notes.push(["ack", "Logged: " + who + (leaving ? " leaving" : " entering") + " Zone " + zone + "."]);
      const kind = (emergency && emergency.kind) || (data.headline || "").replace("EMERGENCY: ", "").toLowerCase();
      if (!leaving && zone === "IV" && (kind === "fire" || kind === "quench")) {
        notes.push(["alert", "Zone IV entry during a " + kind + ": the muster screen is alerted."]);
      }
    }
    return notes;
  }

  function showEmergency(state) {
    document.getElementById("emergency-headline").textContent = "EMERGENCY: " + state.kind.toUpperCase();
    document.getElementById("emergency-instructions").textContent = state.instructions;
    show("emergency");  // scanning stays possible: the muster list needs the scans
  }

  function showResult(data, resumed, sentDirection) {
    const states = { grant: "grant", escort_pending: "escort", deny: "deny", exit: "exit", emergency_logged: "emergency" };
    const state = states[data.outcome] || "deny";
    const escorting = data.escorting || [];
    let headline = state === "deny" ? "DENIED" : data.headline;
    if (state === "grant" && escorting.length) headline = "ESCORTING";  // the badge paired
    if (state === "escort" && !resumed && data.person) {
      const seconds = data.escort_window_seconds || Number(body.dataset.window);
      waits = waits.filter(w => w.person !== data.person);
      waits.push({ person: data.person, until: Date.now() + seconds * 1000, text: data.display_text || "" });
    }
    if (escorting.length) waits = waits.filter(w => !escorting.includes(w.person));
    document.getElementById("result-headline").textContent = headline;
    document.getElementById("result-person").textContent = data.person || "";
    const notes = notesFor(data, state, sentDirection);
    document.getElementById("result-detail").textContent = withoutNotes(data.display_text || "", notes);
    setNotes(notes);
    show("result", state === "grant" && escorting.length ? "escorting" : state);
    body.dataset.lastEvent = String(data.event_id || "local-" + Date.now());  // for tests and logs
    let seconds = state === "escort" ? (data.escort_window_seconds || Number(body.dataset.window)) : RESULT_SECONDS;
    const countdown = document.getElementById("result-countdown");
    countdown.textContent = "";  // a previous escort wait's countdown must not stay on screen
    if (state === "escort") {
      countdown.textContent = seconds + " s";
      countdownTimer = setInterval(() => {
        seconds -= 1;
        countdown.textContent = seconds > 0 ? seconds + " s" : "";
      }, 1000);
    }
    returnTimer = setTimeout(idle, seconds * 1000);
    input.focus({ preventScroll: true });
  }

  function offline() {
    clearTimeout(returnTimer);
    clearInterval(countdownTimer);
    show("offline");
    body.dataset.lastEvent = "offline-" + Date.now();
    returnTimer = setTimeout(checkStatus, RESULT_SECONDS * 1000);
    input.focus({ preventScroll: true });
  }

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await fetch(url, { ...options, signal: controller.signal, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, ...(options && options.headers) } });
    } finally {
      clearTimeout(timer);
    }
  }

  async function submitScan(text) {
    if (busy || !text.trim()) return;
    busy = true;
    clearTimeout(returnTimer);
    clearInterval(countdownTimer);
    try {
      const response = await request(scanUrl, { method: "POST", body: JSON.stringify({ text, direction }) });
      const data = await response.json().catch(() => null);
      if (response.status === 201 && data && data.outcome) {
        showResult(data, false, direction);
      } else if (data && response.status === 422) {
        showResult({ outcome: "deny", headline: "DENIED", display_text: "The scan could not be read. Scan the badge again." });
      } else {
        offline();  // 401/403 (signed out), 5xx, proxies: never a grant
      }
    } catch (error) {
      offline();
    } finally {
      busy = false;
      setDirection("in");
    }
  }

  async function checkStatus() {
    try {
      const response = await request(statusUrl, { method: "GET" });
      if (response.status !== 200) throw new Error("status " + response.status);
      const data = await response.json();
      const was = emergency;
      emergency = data.emergency;
      const showingResult = !panels.result.hidden;
      if (!showingResult || !!was !== !!emergency) idle();
    } catch (error) {
      if (panels.result.hidden) offline();
    }
  }

  function setDirection(value) {
    direction = value;
    for (const [id, dir] of [["direction-in", "in"], ["direction-out", "out"]]) {
      const button = document.getElementById(id);
      button.classList.toggle("is-on", dir === value);
      button.setAttribute("aria-pressed", String(dir === value));
    }
    input.focus({ preventScroll: true });
  }

  form.addEventListener("submit", event => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    submitScan(text);
  });
  // choosing a patient or companion from today's list scans their wristband's code
  for (const button of document.querySelectorAll(".tap-scan")) {
    button.addEventListener("click", event => {
      event.stopPropagation();
      button.closest("details").open = false;
      submitScan(button.dataset.code);
    });
  }
  document.getElementById("direction-in").addEventListener("click", () => setDirection("in"));
  document.getElementById("direction-out").addEventListener("click", () => setDirection("out"));
  // the input is always focused: a keyboard-wedge scanner types wherever the focus is
  document.addEventListener("click", () => input.focus({ preventScroll: true }));
  input.addEventListener("blur", () => setTimeout(() => input.focus({ preventScroll: true }), 50));

  // camera scanning where the browser offers BarcodeDetector
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    const button = document.getElementById("camera-button");
    const video = document.getElementById("camera");
    document.getElementById("camera-hint").hidden = false;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" } });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        const tick = async () => {
          if (video.hidden) return;
          const codes = await detector.detect(video).catch(() => []);
          if (codes.length) {
            stream.getTracks().forEach(track => track.stop());
            video.hidden = true;
            submitScan(codes[0].rawValue);
            return;
          }
          requestAnimationFrame(tick);
        };
        tick();
      } catch (error) {
        video.hidden = true;
      }
    });
  }

  checkStatus();
  setInterval(checkStatus, STATUS_EVERY_MS);
  show("ready");
})();
