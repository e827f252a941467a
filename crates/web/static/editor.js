// dateline admin enhancements. Every admin page works without this file; it adds local
// times, confirmations, and on the editor: Markdown toolbar, live preview, autosave, a
// local copy that survives crashes and expired sessions, tag suggestions and presence.
// Loaded with `defer` under a strict CSP: no inline handlers, no style strings, no eval.
(function () {
  "use strict";

  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.content : "";

  function debounce(fn, ms) {
    let timer = 0;
    const wrapped = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
    wrapped.cancel = () => clearTimeout(timer);
    return wrapped;
  }

  // One place for credentials, CSRF and JSON decoding. Network failures reject; HTTP
  // errors resolve with their status so callers can tell 401 from 409 from 422.
  async function request(url, options = {}) {
    const method = (options.method || "GET").toUpperCase();
    const headers = new Headers(options.headers || {});
    if (!headers.has("Accept")) headers.set("Accept", "application/json");
    if (method !== "GET" && csrfToken) headers.set("X-CSRF-Token", csrfToken);
    const response = await fetch(url, { ...options, method, headers, credentials: "same-origin" });
    let status = response.status;
    // A handler that redirects to sign-in instead of answering 401 still means "expired".
    if (response.redirected && new URL(response.url).pathname === "/signin") status = 401;
    // Not JSON (an HTML error page, an empty body): callers treat data === null as a failure.
    const data = await response.json().catch(() => null);
    return { status, ok: status >= 200 && status < 300, data };
  }

  const pad = (n) => String(n).padStart(2, "0");

  // The editor's local copy lives in localStorage, which may be disabled or full: never let
  // that break editing.
  // Per user as well as per article: on a shared computer, one person's unsaved text must
  // never be restored into another person's editor.
  const copyKey = (userId, articleId) =>
    "dateline:draft:" + (userId || "anon") + ":" + (articleId || "new");
  function readCopy(key) {
    try {
      const copy = JSON.parse(localStorage.getItem(key) || "null");
      return copy && typeof copy.fields === "object" && copy.fields ? copy : null;
    } catch (_) { return null; }
  }
  function removeCopy(key) {
    try { localStorage.removeItem(key); } catch (_) { /* storage unavailable */ }
  }

  function localTimes() {
    for (const el of document.querySelectorAll("time[data-local]")) {
      const when = new Date(el.getAttribute("datetime"));
      if (Number.isNaN(when.getTime())) continue;
      el.title = el.textContent.trim();
      el.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    }
  }

  function confirmations() {
    // Capture phase, so a cancelled submit is already defaultPrevented when the
    // editor's own submit listener runs.
    document.addEventListener("submit", (event) => {
      const form = event.target;
      const message = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
      if (message && !window.confirm(message)) event.preventDefault();
    }, true);
  }

  function listFilters() {
    const form = document.getElementById("list-filters");
    if (!form) return;
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLSelectElement) form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  // ---- Markdown toolbar -------------------------------------------------------------

  function wrapSelection(area, before, after, placeholder) {
    let { selectionStart: start, selectionEnd: end } = area;
    // Double-click often selects a trailing space; "**word **" would not render as bold.
    while (end > start && /\s/.test(area.value[end - 1])) end--;
    while (start < end && /\s/.test(area.value[start])) start++;
    const text = area.value.slice(start, end) || placeholder;
    area.setRangeText(before + text + after, start, end, "end");
    // Leave the inner text selected so typing replaces a placeholder.
    area.setSelectionRange(start + before.length, start + before.length + text.length);
  }

  function insertLink(area) {
    const { selectionStart: start, selectionEnd: end } = area;
    const text = area.value.slice(start, end);
    if (/^https?:\/\/\S+$/.test(text)) {
      // A selected URL becomes the target; select the label for the writer to type.
      area.setRangeText("[link text](" + text + ")", start, end, "end");
      area.setSelectionRange(start + 1, start + 10);
      return;
    }
    const label = text || "link text";
    area.setRangeText("[" + label + "](https://)", start, end, "end");
    const urlStart = start + label.length + 3;
    area.setSelectionRange(urlStart, urlStart + "https://".length);
  }

  const LINE_PREFIX = { h2: () => "## ", h3: () => "### ", quote: () => "> ", ul: () => "- ", ol: (n) => n + ". " };

  function prefixLines(area, kind) {
    const { value, selectionStart: start, selectionEnd: end } = area;
    const from = start === 0 ? 0 : value.lastIndexOf("\n", start - 1) + 1;
    // A selection ending just after a newline does not include the following line.
    const last = end > start && value[end - 1] === "\n" ? end - 1 : end;
    const to = value.indexOf("\n", last) === -1 ? value.length : value.indexOf("\n", last);
    let n = 0;
    const lines = value.slice(from, to).split("\n").map((line) => {
      // Blank lines inside a selection stay unmarked, except in quotes, where ">" keeps a
      // multi-paragraph quote one blockquote. An empty current line gets a marker to type after.
      if (!line.trim() && from !== to) return kind === "quote" ? ">" : line;
      if (kind === "h2" || kind === "h3") line = line.replace(/^#{1,6}\s*/, "");
      return LINE_PREFIX[kind](++n) + line;
    });
    area.setRangeText(lines.join("\n"), from, to, start === end ? "end" : "select");
  }

  const WRAPS = { bold: ["**", "bold text"], italic: ["_", "italic text"], code: ["`", "code"] };

  function applyMarkdown(area, kind) {
    area.focus();
    if (WRAPS[kind]) wrapSelection(area, WRAPS[kind][0], WRAPS[kind][0], WRAPS[kind][1]);
    else if (kind === "link") insertLink(area);
    else if (LINE_PREFIX[kind]) prefixLines(area, kind);
    else return;
    // setRangeText fires no input event; preview, dirty tracking and autosave need one.
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // ---- The editor ---------------------------------------------------------------------

  function editor() {
    const form = document.getElementById("editor");
    if (!form) return;
    const byId = (id) => document.getElementById(id);
    const field = (name) => form.elements.namedItem(name);
    const body = byId("body");
    const versionInput = byId("version");
    const status = byId("save-status");
    const saveButton = byId("save");
    const articleId = form.dataset.articleId || "";
    const userId = form.dataset.userId || "";
    const storageKey = copyKey(userId, articleId);
    const autosaveEnabled = form.dataset.autosave === "true";
    const SKIP = new Set(["csrf_token", "version", "tz_offset", "action"]);
    const NOT_TEXT = /^(hidden|checkbox|radio|file|submit|button|reset|image)$/;
    // Fields the server may rewrite or clear after a save (a schedule consumed by "publish",
    // a correction appended to the record). A difference in these alone is not lost work.
    const SERVER_STATE = new Set(["publish_at", "correction"]);
    const LIST_FIELDS = new Set(["tags", "authors"]);

    let dirty = false;
    let edits = 0; // bumps on every edit, so a save can tell whether it covered the latest text
    let saving = false;
    let stopped = false; // autosave off for good: conflict or expired session
    let expired = false;
    let submitting = false;
    let leaving = false; // deliberate navigation (sign in again, discard) needs no warning
    let pendingSubmitter = null;
    let rejectedAt = -1; // edit count at the last 422, to avoid resending the same invalid text

    const setStatus = (text) => { if (status) status.textContent = text; };

    // -- Timezone: the server stores UTC; datetime-local inputs speak local time.
    const publishAt = byId("publish-at");
    const tzOffset = byId("tz-offset");
    function syncOffset() {
      if (!tzOffset) return;
      // Use the offset at the scheduled instant, not now: they differ across a DST change.
      const m = publishAt && /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(publishAt.value);
      const at = m ? new Date(+m[1], m[2] - 1, +m[3], +m[4], +m[5]) : new Date();
      tzOffset.value = String(at.getTimezoneOffset());
    }
    if (publishAt && publishAt.dataset.utc) {
      const when = new Date(publishAt.dataset.utc);
      if (!Number.isNaN(when.getTime())) {
        publishAt.value = when.getFullYear() + "-" + pad(when.getMonth() + 1) + "-" + pad(when.getDate()) +
          "T" + pad(when.getHours()) + ":" + pad(when.getMinutes());
      }
    }
    const zoneLabel = byId("publish-at-zone");
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      // The label reads "(your time: Europe/Lisbon)"; an empty zone leaves "(your time)".
      if (zoneLabel && zone) zoneLabel.textContent = ": " + zone;
    } catch (_) { /* no Intl zone data: leave the server's text */ }
    syncOffset();

    // -- Local copy.
    function fieldValues() {
      const values = Object.create(null); // so `name in values` never sees Object.prototype
      for (const el of form.elements) {
        const text = el instanceof HTMLInputElement ? !NOT_TEXT.test(el.type)
          : el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
        if (text && el.name && !SKIP.has(el.name)) values[el.name] = el.value;
      }
      return values;
    }
    function writeCopy() {
      try {
        localStorage.setItem(storageKey, JSON.stringify({
          version: versionInput ? versionInput.value : "", fields: fieldValues(), at: Date.now(),
        }));
      } catch (_) { /* storage unavailable */ }
    }
    const writeCopySoon = debounce(writeCopy, 400);

    // The server may trim text or reformat "a,b" as "a, b"; that is not a difference.
    function normalise(name, value) {
      const text = String(value == null ? "" : value).replace(/\r\n?/g, "\n").trim();
      if (!LIST_FIELDS.has(name)) return text;
      return text.split(",").map((t) => t.trim()).filter(Boolean).join(", ");
    }

    function restoreCopy() {
      const done = new URLSearchParams(location.search).get("done");
      // The new-article copy became this article; "discarded" is the conflict view's choice.
      if (done === "created") removeCopy(copyKey(userId, ""));
      if (done === "discarded") removeCopy(storageKey);
      const copy = readCopy(storageKey);
      if (!copy) return;
      const current = fieldValues();
      const differs = Object.keys(copy.fields).some((name) => name in current && !SERVER_STATE.has(name) &&
        normalise(name, copy.fields[name]) !== normalise(name, current[name]));
      if (!differs) return removeCopy(storageKey);
      for (const [name, value] of Object.entries(copy.fields)) {
        const el = field(name);
        if (name in current && el && "value" in el) el.value = String(value);
      }
      // Saving on top of the old base version lets the server detect a conflicting save.
      if (versionInput && copy.version !== undefined) versionInput.value = String(copy.version);
      syncOffset();
      const banner = byId("restored");
      if (banner) banner.hidden = false;
      dirty = true;
      edits++;
      setStatus("Unsaved changes (restored from this device)");
    }

    const discard = byId("discard-restored");
    let discarded = false;
    if (discard) {
      discard.addEventListener("click", () => {
        discarded = leaving = true;
        removeCopy(storageKey);
        location.reload();
      });
    }

    // -- Session expiry: keep the text locally and point at sign-in; never retry.
    let presenceTimer = 0;
    function sessionExpired() {
      if (expired) return;
      expired = true;
      stopped = true;
      pendingSubmitter = null;
      clearInterval(presenceTimer);
      writeCopy();
      const banner = byId("session-expired");
      if (banner) banner.hidden = false;
      setStatus("Not saved: your session has expired. Your text is kept on this device.");
    }
    const signInAgain = byId("signin-again");
    if (signInAgain) {
      signInAgain.addEventListener("click", (event) => {
        // A plain click leaves this page; the text is safe on this device, so skip the warning.
        if (event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) leaving = true;
      });
    }

    // -- Preview and word count. Out-of-order responses are dropped by sequence number.
    const preview = byId("preview");
    const wordCount = byId("word-count");
    let previewSeq = 0;
    const showWords = (n) => {
      if (wordCount && Number.isFinite(n)) wordCount.textContent = n + (n === 1 ? " word" : " words");
    };
    async function refreshPreview() {
      if (!body || (!preview && !wordCount) || expired) return;
      const seq = ++previewSeq;
      try {
        const res = await request("/api/v1/admin/preview", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ body: body.value }),
        });
        if (seq !== previewSeq) return;
        if (res.status === 401) return sessionExpired();
        if (!res.ok || !res.data) return; // keep the last good preview
        // The server sanitises with the same renderer as the public page.
        if (preview && typeof res.data.html === "string") preview.innerHTML = res.data.html;
        showWords(res.data.word_count);
      } catch (_) { /* offline: the preview just lags until the next edit */ }
    }
    const refreshPreviewSoon = debounce(refreshPreview, 300);
    if (body) body.addEventListener("input", refreshPreviewSoon);

    // -- Autosave.
    function submitNatively(button) {
      if (button && form.requestSubmit) {
        form.requestSubmit(button); // fires "submit", which writes the copy and sets `submitting`
        return;
      }
      // form.submit() skips the submit event and carries no submitter, so do both by hand.
      form.append(Object.assign(document.createElement("input"),
        { type: "hidden", name: "action", value: button ? button.value : "save" }));
      syncOffset();
      writeCopy();
      submitting = true;
      form.submit();
    }

    const errorOf = (res) => (res.data && typeof res.data.error === "object" && res.data.error) || {};

    async function autosave() {
      if (!autosaveEnabled || stopped || saving || !dirty) return;
      const title = field("title");
      if (title && "value" in title && !title.value.trim()) return;
      saving = true;
      const editsAtStart = edits;
      setStatus("Saving…");
      syncOffset();
      const data = new FormData(form); // includes no submit button
      data.set("action", "autosave");
      // Match the form's own encoding: the server parses url-encoded forms, not multipart.
      const payload = form.getAttribute("enctype") === "multipart/form-data" ? data : new URLSearchParams(data);
      let res = null;
      try {
        // Not form.action: the form has controls named "action", which shadow the property.
        res = await request(form.getAttribute("action"), { method: "POST", body: payload });
      } catch (_) { /* network error, handled below */ }
      saving = false;

      if (res && res.ok && res.data && res.data.version !== undefined) {
        if (versionInput) versionInput.value = String(res.data.version);
        showWords(res.data.word_count);
        const savedAt = res.data.saved_at ? new Date(res.data.saved_at) : new Date();
        const time = (Number.isNaN(savedAt.getTime()) ? new Date() : savedAt)
          .toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
        if (edits === editsAtStart) {
          dirty = false;
          writeCopySoon.cancel();
          removeCopy(storageKey);
          setStatus("Saved at " + time);
        } else {
          // The copy must carry the new base version, or restoring it would conflict with ourselves.
          writeCopy();
          setStatus("Saved at " + time + "; newer changes not saved yet");
          autosaveSoon();
        }
      } else if (res && res.status === 401) {
        return sessionExpired();
      } else if (res && res.status === 409 && [undefined, "version_conflict"].includes(errorOf(res).code)) {
        stopped = true;
        writeCopy();
        setStatus("Someone else saved this article — opening the comparison…");
        pendingSubmitter = null;
        submitNatively(saveButton);
        return;
      } else if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        // 422 and other refusals: sending the same text again would be refused again.
        rejectedAt = edits;
        const error = errorOf(res);
        const [name, message] = Object.entries(error.fields || {})[0] || ["", error.message || "the server refused it"];
        setStatus("Not saved: " + (name ? name.replace(/_/g, " ") + " " : "") + message);
      } else {
        setStatus("Not saved (offline?) — will retry");
      }

      // A Save/Publish click that arrived mid-autosave goes now, with the fresh version.
      const button = pendingSubmitter;
      pendingSubmitter = null;
      if (button) submitNatively(button);
    }
    const autosaveSoon = debounce(autosave, 3000);
    if (autosaveEnabled) setInterval(() => { if (dirty && rejectedAt !== edits) autosave(); }, 30000);

    // -- Edits.
    function onEdit(event) {
      dirty = true;
      edits++;
      if (event.target === publishAt) syncOffset();
      if (!expired) setStatus("Unsaved changes");
      writeCopySoon();
      autosaveSoon();
    }
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);

    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) return; // cancelled by a confirmation
      if (saving) {
        // Submitting now would send the version the autosave is about to replace, and the
        // server would report our own autosave as a conflict. Wait for it instead.
        event.preventDefault();
        pendingSubmitter = event.submitter || saveButton;
        return;
      }
      syncOffset();
      writeCopySoon.cancel();
      writeCopy();
      submitting = true;
    });

    window.addEventListener("beforeunload", (event) => {
      if (!dirty || submitting || leaving) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers need returnValue set to show the prompt
    });

    // -- Toolbar and shortcuts.
    const toolbar = byId("toolbar");
    if (toolbar && body) toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-md]");
      if (button) applyMarkdown(body, button.dataset.md);
    });
    form.addEventListener("keydown", (event) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.isComposing) return;
      const publish = byId("publish");
      if (event.key === "Enter" && publish && !publish.disabled) {
        event.preventDefault();
        publish.click();
      }
      if (event.key === "Enter" || event.shiftKey) return; // Ctrl+Shift+K/B/I are browser tools
      const key = event.key.toLowerCase();
      if (key === "s") {
        event.preventDefault(); // never the browser's "Save page as"
        if (saveButton && !saveButton.disabled) saveButton.click();
      } else if (event.target === body && (key === "b" || key === "i" || key === "k")) {
        event.preventDefault();
        applyMarkdown(body, { b: "bold", i: "italic", k: "link" }[key]);
      }
    });

    // -- Tag suggestions for the token being typed.
    const tags = byId("tags");
    const suggestions = byId("tag-suggestions");
    let tagSeq = 0;
    async function suggestTags() {
      const tokens = tags.value.split(",").map((t) => t.trim());
      const last = tokens.pop();
      const earlier = tokens.filter(Boolean);
      const seq = ++tagSeq; // also invalidates any request still in flight
      if (!last) return suggestions.replaceChildren();
      try {
        const res = await request("/api/v1/admin/tags?q=" + encodeURIComponent(last));
        if (seq !== tagSeq || !res.ok || !res.data || !Array.isArray(res.data.items)) return;
        const taken = new Set(earlier.map((t) => t.toLowerCase()));
        const options = res.data.items
          .filter((item) => typeof item === "string" && !taken.has(item.toLowerCase()))
          .map((item) => Object.assign(document.createElement("option"),
            { value: earlier.length ? earlier.join(", ") + ", " + item : item }));
        suggestions.replaceChildren(...options);
      } catch (_) { /* suggestions are a convenience */ }
    }
    if (tags && suggestions) tags.addEventListener("input", debounce(suggestTags, 200));

    // -- Presence: who else has this article open.
    const presence = byId("presence");
    async function heartbeat() {
      if (expired) return;
      try {
        const res = await request("/api/v1/admin/articles/" + encodeURIComponent(articleId) + "/presence", { method: "POST" });
        if (res.status === 401) return sessionExpired();
        if (!presence || !res.ok || !res.data) return;
        const others = Array.isArray(res.data.others) ? res.data.others.filter(Boolean) : [];
        const names = others.map((p) => (p.name && p.email ? `${p.name} (${p.email})` : p.name || p.email || "someone"));
        presence.textContent = names.length ? "Also editing now: " + names.join(", ") : "";
        presence.hidden = names.length === 0;
      } catch (_) { /* keep the last known state */ }
    }
    function startPresence() {
      clearInterval(presenceTimer);
      if (!articleId || expired) return;
      heartbeat();
      presenceTimer = setInterval(heartbeat, 15000);
    }
    window.addEventListener("pagehide", () => {
      clearInterval(presenceTimer);
      // Keystrokes from the last 400 ms are not in the copy yet (e.g. "Sign in again" clicked
      // right after typing); write them now, unless the writer just threw the copy away.
      if (dirty && !discarded) {
        writeCopySoon.cancel();
        writeCopy();
      }
    });
    // Back/forward cache restores the page without re-running this script.
    window.addEventListener("pageshow", (event) => { if (event.persisted) startPresence(); });

    restoreCopy();
    refreshPreview();
    startPresence();
  }

  // The conflict view shows this device's text beside the current version. Once the writer
  // merges, saves their own version or discards it, the local copy is settled; left in place, it
  // would be "restored" over the result and cause the same conflict again.
  function conflictView() {
    const merge = document.getElementById("merge-form");
    const match = merge && /\/admin\/articles\/(\d+)/.exec(merge.getAttribute("action") || "");
    if (!match || !document.querySelector(".conflict-grid")) return;
    const settle = () => removeCopy(copyKey(match[1]));
    document.addEventListener("submit", (event) => {
      if (!event.defaultPrevented && event.target.closest("#merge-form, #keep-mine-form")) settle();
    });
    const discard = document.getElementById("discard-mine");
    if (discard) discard.addEventListener("click", settle);
  }

  function start() {
    localTimes();
    confirmations();
    listFilters();
    conflictView();
    editor();
  }
  // `defer` means the DOM is parsed already; the check keeps a plain <script> working too.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
