// The screening form: follow-up questions and the implant editor. A file, because the CSP
// forbids inline scripts. The server checks everything again and refuses hidden answers.
"use strict";

function followUps(form) {
  const items = Array.from(form.querySelectorAll(".question[data-show-if]"));
  const answerOf = (id) => {
    const checked = form.querySelector(`input[name="${id}"]:checked`);
    if (checked) return checked.value;
    const input = form.querySelector(`[name="${id}"]`);
    return input && input.type !== "radio" ? input.value : "";
  };
  const shown = (box) => {
    const parent = form.querySelector(`#q-${box.dataset.showIf}`);
    if (parent && parent.hidden) return false;
    return box.dataset.showIfValues.split(" ").includes(answerOf(box.dataset.showIf));
  };
  const sync = () => {
    items.forEach((box) => {
      const visible = shown(box);
      box.hidden = !visible;
      box.classList.add("is-follow-up");
      if (!visible) {  // a hidden question sends nothing
        box.querySelectorAll("input[type=radio]").forEach((r) => { r.checked = false; });
        box.querySelectorAll("input:not([type=radio]), textarea").forEach((i) => { i.value = ""; });
      }
    });
  };
  form.addEventListener("change", sync);
  sync();
}

const SI_KEYS = {
  field_strengths_t: "field_strengths", max_spatial_gradient_t_per_m: "max_spatial_gradient",
  max_whole_body_sar_w_per_kg: "max_whole_body_sar", max_head_sar_w_per_kg: "max_head_sar",
  max_b1rms_ut: "max_b1rms", max_slew_rate_t_per_m_per_s: "max_slew_rate",
};
const NUMBERS = [
  ["max_whole_body_sar", "Max whole-body SAR", "W/kg"], ["max_head_sar", "Max head SAR", "W/kg"],
  ["max_b1rms", "Max B1+rms", "µT"], ["max_slew_rate", "Max slew rate per axis", "T/m/s"],
  ["active_scan_minutes", "Active scan time limit", "min"],
];

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  });
  children.forEach((c) => node.append(c));
  return node;
}

function select(key, options, value) {
  const s = el("select", { "data-key": key });
  options.forEach(([v, label]) => {
    const o = el("option", { value: v, text: label });
    if (String(value ?? "") === v) o.selected = true;
    s.append(o);
  });
  return s;
}

function labelled(text, control, key) {
  return el("label", { "data-field": key || control.dataset.key || "" }, [text, control]);
}

function implantEditor(editor, hidden, addButton) {
  const vocab = JSON.parse(editor.dataset.vocabulary);
  const problems = JSON.parse(editor.dataset.problems || "[]");
  let implants = [];
  try { implants = JSON.parse(hidden.value || "[]"); } catch (e) { implants = []; }
  implants = implants.map((imp) => {
    const out = {};
    Object.entries(imp).forEach(([k, v]) => { out[SI_KEYS[k] || k] = v; });
    return out;
  });
  const tri = (key, value) => select(key, [["", "Unknown"], ["true", "Yes"], ["false", "No"]],
    value === true ? "true" : value === false ? "false" : "");
  const quantity = (v) => (v && typeof v === "object" ? v : { value: v ?? "", unit: null });

  function card(imp, index) {
    const box = el("fieldset", { class: "implant-card", "data-index": index });
    const remove = el("button", { type: "button", class: "implant-remove", text: "Remove this implant" });
    remove.addEventListener("click", () => { box.remove(); write(); });
    box.append(el("h4", {}, [`Implant ${index + 1}`, remove]));
    const text = (key, label, type = "text") => labelled(label, el("input", { type, "data-key": key, value: imp[key] ?? "" }));
    const grid = el("div", { class: "implant-grid" }, [
      labelled("Kind", select("category", vocab.categories.map((c) => [c, c.replaceAll("_", " ")]), imp.category)),
      text("description", "Description (e.g. coronary stent)"),
      text("manufacturer", "Manufacturer"), text("model", "Model"),
      labelled("Where in the body (places it for the spatial gradient)", (() => {
        const regions = vocab.regions.filter((r) => r !== "whole_body").map((r) => [r, r.replaceAll("_", " ")]);
        const typed = (imp.body_location || "").trim();
        const known = regions.some(([r]) => r === typed.toLowerCase().replaceAll(" ", "_"));
        const extra = typed && !known ? [[typed, `${typed} (cannot be placed: choose a region)`]] : [];
        return select("body_location", [["", "Unknown"], ...extra, ...regions], known ? typed.toLowerCase().replaceAll(" ", "_") : typed);
      })(), "body_location"),
      text("implant_date", "Implanted on", "date"),
      labelled("ASTM F2503 class", select("astm_class", [["", "Unknown (treated as MR Unsafe)"], ...vocab.classes], imp.astm_class)),
      labelled("Complete system (all parts listed on the label)", tri("complete_system", imp.complete_system)),
      labelled("Abandoned or fractured parts", tri("abandoned_components", imp.abandoned_components)),
    ]);
    const gradient = quantity(imp.max_spatial_gradient);
    const waiting = quantity(imp.waiting_period_days);
    const cond = el("div", { class: "implant-grid" }, [
      labelled("Allowed field strengths (T, e.g. 1.5 or 1.5, 3)", el("input", { type: "text", "data-key": "field_strengths", value: (imp.field_strengths || []).join(", ") })),
      labelled("“… T or less”", select("field_strength_or_less", [["", "No: only those"], ["true", "Yes: that or less"]], imp.field_strength_or_less ? "true" : "")),
      labelled("Max spatial field gradient", el("span", { class: "with-unit" }, [
        el("input", { type: "text", inputmode: "decimal", "data-key": "max_spatial_gradient", value: gradient.value }),
        select("max_spatial_gradient.unit", [["T/m", "T/m"], ["G/cm", "G/cm"]], gradient.unit || "T/m")]), "max_spatial_gradient"),
      ...NUMBERS.map(([key, label, unit]) => labelled(`${label} (${unit})`, el("input", { type: "text", inputmode: "decimal", "data-key": key, value: imp[key] ?? "" }))),
      labelled("Operating mode", select("operating_mode", [["", "Not stated"], ...vocab.modes], imp.operating_mode)),
      labelled("Waiting period after implantation", el("span", { class: "with-unit" }, [
        el("input", { type: "text", inputmode: "numeric", "data-key": "waiting_period_days", value: waiting.value }),
        select("waiting_period_days.unit", [["days", "days"], ["weeks", "weeks"]], waiting.unit || "days")]), "waiting_period_days"),
      labelled("Allowed transmit coils", el("span", { class: "coil-set", "data-key": "allowed_transmit_coils" },
        vocab.coils.map((c) => {
          const box = el("input", { type: "checkbox", value: c });
          box.checked = (imp.allowed_transmit_coils || []).includes(c);
          return el("label", {}, [box, ` ${c.replaceAll("_", " ")}`]);
        })), "allowed_transmit_coils"),
      labelled("Excluded body regions", (() => {
        const s = el("select", { multiple: "", size: "4", "data-key": "excluded_regions" });
        vocab.regions.forEach((r) => {
          const o = el("option", { value: r, text: r.replaceAll("_", " ") });
          o.selected = (imp.excluded_regions || []).includes(r);
          s.append(o);
        });
        return s;
      })()),
      labelled("Preparation steps (one per line)", el("textarea", { rows: "2", "data-key": "preparation_steps" }, [(imp.preparation_steps || []).join("\n")])),
      text("labeling_source", "Labeling source (document, URL)"), text("labeling_date", "Labeling date", "date"),
    ]);
    const conditions = el("div", { class: "implant-conditions" }, [el("p", { class: "q-text", text: "Conditions on the MR Conditional label" }), cond]);
    const toggle = () => { conditions.hidden = box.querySelector('[data-key="astm_class"]').value !== "mr_conditional"; };
    box.append(grid, conditions);
    box.addEventListener("change", () => { toggle(); write(); });
    box.addEventListener("input", write);
    toggle();
    return box;
  }

  function number(raw) {
    const text = raw.trim().replace(",", ".");
    if (text === "") return null;
    const n = Number(text);
    return Number.isFinite(n) ? n : raw;  // a non-number goes to the server, which refuses it
  }

  function read(box) {
    const v = (key) => box.querySelector(`[data-key="${key}"]`);
    const imp = { category: v("category").value, description: v("description").value };
    ["manufacturer", "model", "body_location", "implant_date", "labeling_source", "labeling_date"].forEach((k) => {
      if (v(k).value.trim()) imp[k] = v(k).value.trim();
    });
    imp.astm_class = v("astm_class").value || null;
    ["complete_system", "abandoned_components"].forEach((k) => {
      imp[k] = v(k).value === "" ? null : v(k).value === "true";
    });
    if (imp.astm_class !== "mr_conditional") return imp;
    const strengths = v("field_strengths").value.split(/[;,\s]+/).filter(Boolean).map(number);
    if (strengths.length) imp.field_strengths = strengths;
    if (v("field_strength_or_less").value === "true") imp.field_strength_or_less = true;
    const gradient = number(v("max_spatial_gradient").value);
    if (gradient !== null) imp.max_spatial_gradient = { value: gradient, unit: v("max_spatial_gradient.unit").value };
    NUMBERS.forEach(([key]) => { const n = number(v(key).value); if (n !== null) imp[key] = n; });
    if (v("operating_mode").value) imp.operating_mode = v("operating_mode").value;
    const waiting = number(v("waiting_period_days").value);
    if (waiting !== null) imp.waiting_period_days = { value: waiting, unit: v("waiting_period_days.unit").value };
    const coils = Array.from(v("allowed_transmit_coils").querySelectorAll("input:checked")).map((c) => c.value);
    if (coils.length) imp.allowed_transmit_coils = coils;
    const regions = Array.from(v("excluded_regions").selectedOptions).map((o) => o.value);
    if (regions.length) imp.excluded_regions = regions;
    const steps = v("preparation_steps").value.split("\n").map((s) => s.trim()).filter(Boolean);
    if (steps.length) imp.preparation_steps = steps;
    return imp;
  }

  function write() {
    const list = Array.from(editor.querySelectorAll(".implant-card")).map(read);
    hidden.value = list.length ? JSON.stringify(list) : "";
  }

  implants.forEach((imp, i) => editor.append(card(imp, i)));
  problems.forEach((p) => {  // "implants[0].max_b1rms": mark the field
    const m = /^implants\[(\d+)\]\.([a-z_]+)/.exec(p.field || "");
    if (!m) return;
    const target = editor.querySelector(`[data-index="${m[1]}"] [data-field="${SI_KEYS[m[2]] || m[2]}"]`);
    if (target) { target.classList.add("has-error"); target.append(el("span", { class: "field-error", text: p.problem })); }
  });
  addButton.addEventListener("click", () => {
    editor.append(card({ category: "other", astm_class: null }, editor.querySelectorAll(".implant-card").length));
    write();
  });
  write();
}

// Section progress: the list of the form's sections shows, for each, how many of
// its shown questions are answered, and takes the user there without scrolling through
// the others. Counted live as answers are given (the server counts again on save).
function sectionProgress(form) {
  const nav = document.getElementById("section-nav");
  if (!nav) return;
  const answered = (box) => {
    if (box.querySelector("input[type=radio]")) return !!box.querySelector("input[type=radio]:checked");
    if (box.classList.contains("q-implant_list")) return true;  // optional list
    const input = box.querySelector("input:not([type=hidden]), textarea, select");
    return !input || input.value.trim() !== "";
  };
  const count = () => {
    form.querySelectorAll("fieldset.q-section").forEach((section) => {
      const link = nav.querySelector(`[data-section="${section.id}"]`);
      if (!link) return;
      const shown = Array.from(section.querySelectorAll(".question")).filter((q) => !q.hidden);
      const done = shown.filter(answered).length;
      link.querySelector(".progress").textContent = `${done}/${shown.length}`;
      link.classList.toggle("complete", done === shown.length);
      link.classList.toggle("has-error", !!section.querySelector(".has-error"));
    });
  };
  form.addEventListener("change", count);
  form.addEventListener("input", count);
  count();
}

// After a step the page opens at #outcome or #workflow: the message about what just
// happened goes there too, instead of staying at the top of the page, out of view.
function messagesInView() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  const flashes = Array.from(document.querySelectorAll("main > p.flash"));
  if (!target || !flashes.length) return;
  flashes.reverse().forEach((message) => target.prepend(message));
  target.scrollIntoView();
}

document.addEventListener("DOMContentLoaded", () => {
  messagesInView();
  const form = document.getElementById("questionnaire");
  if (!form) return;
  followUps(form);
  sectionProgress(form);
  const editor = document.getElementById("implant-editor");
  const hidden = document.getElementById("implants-json");
  const add = document.getElementById("add-implant");
  if (editor && hidden && add) implantEditor(editor, hidden, add);
});
