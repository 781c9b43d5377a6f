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
    if (emergency) showEmergency(emergency); else show("ready");
  }

  function showEmergency(state) {
    document.getElementById("emergency-headline").textContent = "EMERGENCY: " + state.kind.toUpperCase();
    document.getElementById("emergency-instructions").textContent = state.instructions;
    show("emergency");  // scanning stays possible: the muster list needs the scans
  }

  function showResult(data) {
    const states = { grant: "grant", escort_pending: "escort", deny: "deny", exit: "exit", emergency_logged: "emergency" };
    const state = states[data.outcome] || "deny";
    document.getElementById("result-headline").textContent = state === "deny" ? "DENIED" : data.headline;
    document.getElementById("result-person").textContent = data.person || "";
    document.getElementById("result-detail").textContent = data.display_text || "";
    show("result", state);
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
        showResult(data);
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
