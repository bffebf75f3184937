// fastmcp dev: the page. Plain DOM, no build step; the API is same-origin (the token rides
// in a cookie the page's URL set).
"use strict";

const $ = (selector) => document.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
};

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const text = await response.text();
  let data;
  try { data = JSON.parse(text); } catch { data = { error: text }; }
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// `early`: events of a call that arrived before the page knew its id (a quick tool answers
// before the POST that started it does).
const state = { lists: null, calls: new Map(), early: new Map(), history: [], log: [], questions: [] };

function callEvent(event) {
  if (!state.calls.has(event.id)) {
    if (!state.early.has(event.id)) state.early.set(event.id, []);
    state.early.get(event.id).push(event);
    // Calls another page started are never claimed here: keep the latest few only.
    if (state.early.size > 50) state.early.delete(state.early.keys().next().value);
    return;
  }
  if (event.type === "progress") onProgress(event);
  else if (event.type === "result") onResult(event);
  else if (event.type === "cancelled") onCancelled(event);
}

// ---- header, lists -------------------------------------------------------------------
async function loadServer() {
  const server = await api("/api/server");
  const info = server.serverInfo || {};
  $("#server-name").textContent = `${info.name || "MCP server"} ${info.version || ""}`;
  const caps = Object.keys(server.capabilities || {}).filter((k) => server.capabilities[k] != null);
  $("#server-meta").textContent =
    `${server.target} · protocol ${server.protocolVersion || "?"}${server.stateless ? " (stateless)" : ""} · ${caps.join(", ")}`;
  $("#instructions").hidden = !server.instructions;
  $("#instructions").textContent = server.instructions || "";
}

async function loadLists() {
  state.lists = await api("/api/lists");
  renderTools();
  renderResources();
  renderPrompts();
  // How many times the lists were (re)loaded: scripts driving the page wait on it.
  state.loads = (state.loads || 0) + 1;
  document.body.dataset.loads = String(state.loads);
}

function listItem(name, description, onclick) {
  return el("li", { onclick, tabindex: 0, onkeydown: (e) => e.key === "Enter" && onclick(e) },
    el("div", { class: "name", text: name }), el("div", { class: "desc", text: description || "" }));
}

function select(list, item) {
  for (const li of list.querySelectorAll("li")) li.classList.remove("active");
  item.classList.add("active");
}

// ---- forms from JSON Schema ----------------------------------------------------------
// Fields for an object schema's properties; returns a function collecting the values.
function schemaForm(container, schema, idPrefix, completer) {
  const properties = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const readers = [];
  for (const [name, property] of Object.entries(properties)) {
    const id = `${idPrefix}-${name}`;
    const label = el("label", { for: id }, name, required.has(name) ? el("span", { class: "required", text: " *" }) : null);
    const type = Array.isArray(property.type) ? property.type.find((t) => t !== "null") : property.type;
    const choices = property.enum || (property.oneOf || property.anyOf || []).map((o) => o.const).filter((c) => c !== undefined);
    let input, read;
    if (choices.length && type !== "array") {
      input = el("select", { id, name, "aria-label": name },
        required.has(name) ? null : el("option", { value: "", text: "" }),
        ...choices.map((c) => el("option", { value: String(c), text: String(c) })));
      if (property.default !== undefined) input.value = String(property.default);
      read = () => input.value === "" ? undefined : (type === "integer" || type === "number" ? Number(input.value) : input.value);
    } else if (type === "boolean") {
      input = el("input", { id, name, type: "checkbox", "aria-label": name });
      input.checked = property.default === true;
      read = () => input.checked;
    } else if (type === "integer" || type === "number") {
      input = el("input", { id, name, type: "number", step: type === "integer" ? "1" : "any", "aria-label": name });
      if (property.default !== undefined) input.value = property.default;
      read = () => input.value === "" ? undefined : Number(input.value);
    } else if (type === "array" || type === "object" || type === undefined) {
      input = el("textarea", { id, name, "aria-label": name, placeholder: type === "array" ? "[…] (JSON)" : "{…} (JSON)" });
      if (property.default !== undefined) input.value = JSON.stringify(property.default);
      read = () => {
        if (input.value.trim() === "") return undefined;
        try { return JSON.parse(input.value); } catch { throw new Error(`${name}: not JSON`); }
      };
    } else {
      input = el("input", { id, name, type: "text", "aria-label": name, autocomplete: "off" });
      if (property.default !== undefined) input.value = property.default;
      read = () => input.value === "" ? undefined : input.value;
    }
    const help = property.description || property.title;
    container.append(el("div", { class: "field" }, label, help ? el("div", { class: "help", text: help }) : null, input));
    if (completer && input.type === "text") attachCompletion(input, id, (value) => completer(name, value));
    readers.push([name, read]);
  }
  return () => {
    const values = {};
    for (const [name, read] of readers) {
      const value = read();
      if (value !== undefined) values[name] = value;
    }
    return values;
  };
}

// Completions as you type: a datalist filled from completion/complete.
function attachCompletion(input, id, complete) {
  const list = el("datalist", { id: `${id}-completions` });
  input.setAttribute("list", list.id);
  input.after(list);
  let pending = 0;
  input.addEventListener("input", async () => {
    const ticket = ++pending;
    try {
      const completion = await complete(input.value);
      if (ticket !== pending || !completion) return;
      list.replaceChildren(...(completion.values || []).map((v) => el("option", { value: v })));
    } catch { /* a server without completions */ }
  });
}

// ---- tools ---------------------------------------------------------------------------
function renderTools() {
  const list = $("#tool-list");
  list.replaceChildren();
  for (const tool of state.lists.tools) {
    const item = listItem(tool.name, tool.description, () => { select(list, item); showTool(tool); });
    list.append(item);
  }
  if (!state.lists.tools.length) list.append(el("li", { class: "group", text: "no tools" }));
}

function showTool(tool) {
  const panel = $("#tool-panel");
  panel.replaceChildren(el("h2", { text: tool.title || tool.name }));
  if (tool.description) panel.append(el("p", { text: tool.description }));
  if (tool.annotations) {
    const notes = Object.entries(tool.annotations).map(([k, v]) => `${k}: ${v}`).join(" · ");
    panel.append(el("div", { class: "annotations", text: notes }));
  }
  const form = el("form", { id: "tool-form" });
  const fields = el("div");
  const read = schemaForm(fields, tool.inputSchema, "arg");
  const raw = el("textarea", { id: "raw-arguments", "aria-label": "arguments as JSON", hidden: true });
  const rawToggle = el("input", { type: "checkbox", id: "raw-toggle" });
  rawToggle.addEventListener("change", () => {
    if (rawToggle.checked) {
      try { raw.value = JSON.stringify(read(), null, 2); } catch { raw.value = "{}"; }
    }
    raw.hidden = !rawToggle.checked;
    fields.hidden = rawToggle.checked;
  });
  const callButton = el("button", { type: "submit", class: "primary", id: "call" }, "Call");
  const cancelButton = el("button", { type: "button", id: "cancel", disabled: true }, "Cancel");
  const progress = el("progress", { id: "progress", max: 1, "aria-label": "progress" });
  progress.removeAttribute("value");
  const message = el("span", { class: "progress-message", id: "progress-message" });
  const progressRow = el("div", { class: "progress-row", hidden: true }, progress, message);
  const result = el("div", { class: "result", id: "result" });
  form.append(fields, el("div", { class: "field" }, el("label", { for: "raw-toggle", class: "inline" }, rawToggle, " edit the arguments as JSON")), raw,
    el("div", { class: "buttons" }, callButton, cancelButton), progressRow, result);
  panel.append(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let args;
    try { args = rawToggle.checked ? JSON.parse(raw.value || "{}") : read(); }
    catch (error) { result.className = "result error"; result.textContent = error.message; return; }
    result.replaceChildren();
    result.className = "result";
    progressRow.hidden = false;
    progress.removeAttribute("value");
    progress.removeAttribute("aria-valuenow");
    message.textContent = "";
    callButton.disabled = true;
    cancelButton.disabled = false;
    try {
      const { id } = await api("/api/call", { name: tool.name, arguments: args });
      const entry = { id, tool: tool.name, args, progress, message, result, callButton, cancelButton };
      state.calls.set(id, entry);
      cancelButton.onclick = () => api("/api/cancel", { id }).catch(() => {});
      const early = state.early.get(id) || [];
      state.early.delete(id);
      for (const event of early) callEvent(event);
    } catch (error) {
      callButton.disabled = false;
      cancelButton.disabled = true;
      result.className = "result error";
      result.textContent = error.message;
    }
  });
}

function onProgress(event) {
  const call = state.calls.get(event.id);
  if (!call) return;
  const { progress, message } = call;
  if (event.total) {
    progress.max = event.total;
    progress.value = event.progress;
    progress.setAttribute("aria-valuemax", event.total);
    progress.setAttribute("aria-valuenow", event.progress);
  } else {
    progress.removeAttribute("value");
    progress.setAttribute("aria-valuenow", event.progress);
  }
  message.textContent = event.message || (event.total ? `${event.progress} / ${event.total}` : `${event.progress}`);
}

function finishCall(event, outcome) {
  const call = state.calls.get(event.id);
  state.calls.delete(event.id);
  if (!call) return;
  call.callButton.disabled = false;
  call.cancelButton.disabled = true;
  state.history.unshift({ id: event.id, tool: call.tool, args: call.args, outcome, ms: event.ms });
  renderHistory();
  return call;
}

function onResult(event) {
  const result = event.result;
  const outcome = event.error ? "failed" : result.isError ? "error" : "ok";
  const call = finishCall(event, outcome);
  if (!call) return;
  const box = call.result;
  if (event.error) {
    box.className = "result error";
    box.textContent = event.error;
    return;
  }
  box.className = result.isError ? "result error" : "result";
  box.replaceChildren(...renderContent(result.content || []));
  if (result.structuredContent !== undefined) {
    box.append(el("details", { open: true }, el("summary", { text: "structured content" }),
      el("pre", { class: "json", text: JSON.stringify(result.structuredContent, null, 2) })));
  }
}

function onCancelled(event) {
  const call = finishCall(event, "cancelled");
  if (!call) return;
  call.result.className = "result error";
  call.result.textContent = "cancelled";
}

function renderContent(blocks) {
  return blocks.map((block) => {
    switch (block.type) {
      case "text": return el("pre", { text: block.text });
      case "image": return el("img", { src: `data:${block.mimeType};base64,${block.data}`, alt: "image result" });
      case "audio": return el("audio", { controls: true, src: `data:${block.mimeType};base64,${block.data}` });
      case "resource_link": return el("pre", { text: `→ ${block.uri}${block.name ? ` (${block.name})` : ""}` });
      case "resource": return renderResourceContents([block.resource])[0];
      default: return el("pre", { class: "json", text: JSON.stringify(block, null, 2) });
    }
  });
}

function renderResourceContents(contents) {
  return contents.map((item) => {
    if (item.text !== undefined) {
      if ((item.mimeType || "").includes("json")) {
        try { return el("pre", { class: "json", text: JSON.stringify(JSON.parse(item.text), null, 2) }); } catch { /* as text */ }
      }
      return el("pre", { text: item.text });
    }
    if ((item.mimeType || "").startsWith("image/")) return el("img", { src: `data:${item.mimeType};base64,${item.blob}`, alt: item.uri });
    return el("pre", { text: `${item.uri}: ${item.mimeType || "binary"}, ${Math.floor((item.blob || "").length * 3 / 4)} bytes` });
  });
}

// ---- resources -----------------------------------------------------------------------
function renderResources() {
  const list = $("#resource-list");
  list.replaceChildren(el("li", { class: "group", text: "resources" }));
  for (const resource of state.lists.resources) {
    const item = listItem(resource.uri, resource.name || resource.description, () => { select(list, item); readResource(resource.uri); });
    list.append(item);
  }
  list.append(el("li", { class: "group", text: "templates" }));
  for (const template of state.lists.resourceTemplates) {
    const item = listItem(template.uriTemplate, template.name || template.description, () => { select(list, item); showTemplate(template); });
    list.append(item);
  }
}

async function readResource(uri, panel = $("#resource-panel"), keep = false) {
  if (!keep) panel.replaceChildren(el("h2", { text: uri }));
  const box = el("div", { class: "result", id: "resource-contents" });
  panel.append(box);
  try {
    const { contents } = await api("/api/read", { uri });
    box.replaceChildren(...renderResourceContents(contents));
  } catch (error) {
    box.className = "result error";
    box.textContent = error.message;
  }
}

function showTemplate(template) {
  const panel = $("#resource-panel");
  panel.replaceChildren(el("h2", { text: template.uriTemplate }));
  if (template.description) panel.append(el("p", { text: template.description }));
  const names = [...template.uriTemplate.matchAll(/\{[+#./;?&]?([^}]+)\}/g)].flatMap((m) => m[1].split(",").map((n) => n.replace(/\*$/, "")));
  const schema = { type: "object", properties: Object.fromEntries(names.map((n) => [n, { type: "string" }])), required: names };
  const form = el("form");
  const read = schemaForm(form, schema, "var", (name, value) =>
    api("/api/complete", { ref: { type: "ref/resource", uri: template.uriTemplate }, argument: name, value }));
  form.append(el("div", { class: "buttons" }, el("button", { type: "submit", class: "primary" }, "Read")));
  panel.append(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = read();
    const uri = template.uriTemplate.replace(/\{[+#./;?&]?([^}]+)\}/g, (_, n) => encodeURIComponent(values[n.replace(/\*$/, "")] ?? ""));
    panel.querySelector("#resource-contents")?.remove();
    readResource(uri, panel, true);
  });
}

// ---- prompts -------------------------------------------------------------------------
function renderPrompts() {
  const list = $("#prompt-list");
  list.replaceChildren();
  for (const prompt of state.lists.prompts) {
    const item = listItem(prompt.name, prompt.description, () => { select(list, item); showPrompt(prompt); });
    list.append(item);
  }
  if (!state.lists.prompts.length) list.append(el("li", { class: "group", text: "no prompts" }));
}

function showPrompt(prompt) {
  const panel = $("#prompt-panel");
  panel.replaceChildren(el("h2", { text: prompt.title || prompt.name }));
  if (prompt.description) panel.append(el("p", { text: prompt.description }));
  const args = prompt.arguments || [];
  const schema = {
    type: "object",
    properties: Object.fromEntries(args.map((a) => [a.name, { type: "string", description: a.description }])),
    required: args.filter((a) => a.required).map((a) => a.name),
  };
  const form = el("form");
  const read = schemaForm(form, schema, "prompt-arg", (name, value) =>
    api("/api/complete", { ref: { type: "ref/prompt", name: prompt.name }, argument: name, value }));
  form.append(el("div", { class: "buttons" }, el("button", { type: "submit", class: "primary" }, "Get")));
  const box = el("div", { class: "result" });
  panel.append(form, box);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await api("/api/prompt", { name: prompt.name, arguments: read() });
      box.className = "result";
      box.replaceChildren(...(result.messages || []).map((m) =>
        el("div", { class: "message" }, el("span", { class: "role", text: `${m.role}: ` }), ...renderContent([m.content]))));
    } catch (error) {
      box.className = "result error";
      box.textContent = error.message;
    }
  });
}

// ---- log, history --------------------------------------------------------------------
const LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

function addLog(level, source, data) {
  state.log.push({ level, source, data, at: new Date() });
  renderLog();
}

function renderLog() {
  const min = LEVELS.indexOf($("#log-level").value);
  const shown = state.log.filter((entry) => LEVELS.indexOf(entry.level) >= min);
  $("#log").replaceChildren(...shown.slice(-500).map((entry) => el("li", {},
    el("span", { class: `level ${entry.level}`, text: entry.level }),
    `${entry.at.toLocaleTimeString()} ${entry.source} `,
    typeof entry.data === "string" ? entry.data : JSON.stringify(entry.data))));
  $("#log-count").textContent = state.log.length ? `(${state.log.length})` : "";
}

function renderHistory() {
  $("#history tbody").replaceChildren(...state.history.map((h) => el("tr", {},
    el("td", { text: h.id }), el("td", { text: h.tool }), el("td", { text: JSON.stringify(h.args) }),
    el("td", { text: h.outcome }), el("td", { text: h.ms === undefined ? "" : h.ms.toFixed(1) }))));
}

// ---- questions from the server (elicitation, sampling) -------------------------------
function ask(event) {
  state.questions.push(event);
  if (state.questions.length === 1) showQuestion();
}

function showQuestion() {
  const question = state.questions[0];
  if (!question) return;
  const dialog = $("#question");
  const fields = $("#question-fields");
  fields.replaceChildren();
  let read = () => null;
  if (question.type === "elicitation") {
    $("#question-title").textContent = "The server asks";
    $("#question-message").textContent = question.message;
    if (question.url) fields.append(el("p", {}, "Open: ", el("a", { href: question.url, target: "_blank", rel: "noopener", text: question.url })));
    else read = schemaForm(fields, question.schema, "elicit");
    $("#question-accept").textContent = "Accept";
  } else {
    $("#question-title").textContent = "The server asks for a completion (sampling)";
    const messages = (question.params.messages || []).map((m) =>
      el("div", { class: "message" }, el("span", { class: "role", text: `${m.role}: ` }), ...renderContent(Array.isArray(m.content) ? m.content : [m.content])));
    $("#question-message").replaceChildren(...messages);
    const reply = el("textarea", { id: "sampling-reply", "aria-label": "reply" });
    fields.append(el("div", { class: "field" }, el("label", { for: "sampling-reply", text: "reply" }), reply));
    read = () => reply.value;
    $("#question-accept").textContent = "Send";
  }
  const form = $("#question-form");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const action = event.submitter ? event.submitter.value : "cancel";
    let body = { id: question.id, action };
    try {
      if (action === "accept") {
        const value = read();
        body = question.type === "sampling" ? { ...body, text: value } : { ...body, content: value };
      }
    } catch (error) { $("#question-message").textContent = error.message; return; }
    dialog.close();
    state.questions.shift();
    await api("/api/answer", body).catch((error) => addLog("warning", "inspector", error.message));
    showQuestion();
  };
  if (!dialog.open) dialog.showModal();
}

// ---- events --------------------------------------------------------------------------
function connectEvents() {
  const source = new EventSource("/api/events");
  source.onopen = () => { $("#connection").textContent = "connected"; $("#connection").className = "badge ok"; };
  source.onerror = () => { $("#connection").textContent = "reconnecting"; $("#connection").className = "badge bad"; };
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    switch (event.type) {
      case "progress": case "result": case "cancelled": callEvent(event); break;
      case "log": addLog(event.level, event.logger || "server", event.data); break;
      case "notification": if (event.method !== "notifications/message" && event.method !== "notifications/progress") addLog("info", event.method, event.params ?? ""); break;
      case "list_changed": loadLists().catch(() => {}); break;
      case "elicitation": case "sampling": ask(event); break;
      case "connected":
        $("#connection").textContent = "connected";
        $("#connection").className = "badge ok";
        loadServer().then(loadLists).catch(() => {});
        break;
    }
  };
}

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => {
    for (const other of document.querySelectorAll("nav button")) other.classList.toggle("active", other === button);
    for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${button.dataset.view}`;
  });
}
$("#log-level").addEventListener("change", renderLog);
$("#restart").addEventListener("click", async () => {
  $("#connection").textContent = "restarting";
  try { await api("/api/restart", {}); } catch (error) { addLog("error", "inspector", error.message); }
});

// The token is in a cookie now: take it out of the address bar.
if (location.search.includes("token=")) history.replaceState(null, "", "/");
connectEvents();
loadServer().then(loadLists).catch((error) => addLog("error", "inspector", error.message));
