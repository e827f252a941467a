// dateline reader enhancements. The pages work without this file; it adds native sharing,
// copy-link and infinite scrolling of article lists (which end in "No more articles").
"use strict";

function setupShare() {
  const native = document.querySelector(".share-native");
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener("click", () => {
      navigator.share({ title: native.dataset.title, url: native.dataset.url }).catch(() => {});
    });
  }
  const status = document.querySelector(".share-status");
  for (const link of document.querySelectorAll("[data-copy]")) {
    link.addEventListener("click", async (event) => {
      if (!navigator.clipboard) return; // fall back to following the link
      event.preventDefault();
      try {
        await navigator.clipboard.writeText(link.dataset.copy);
        if (status) status.textContent = "Link copied";
      } catch (_) {
        if (status) status.textContent = "Could not copy; the link is " + link.dataset.copy;
      }
    });
  }
}

function setupInfiniteList() {
  const list = document.querySelector("ol[data-infinite]");
  const pager = document.querySelector(".pager");
  if (!list || !pager || !("IntersectionObserver" in window)) return;
  let loading = false;

  async function loadMore() {
    const older = pager.querySelector("a.older");
    if (!older || loading) return;
    loading = true;
    older.textContent = "Loading…";
    try {
      const response = await fetch(older.href, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const item of doc.querySelectorAll("ol[data-infinite] > li")) {
        list.appendChild(document.importNode(item, true));
      }
      const nextPager = doc.querySelector(".pager");
      pager.replaceChildren(...(nextPager ? Array.from(nextPager.childNodes).map((n) => document.importNode(n, true)) : []));
      if (!pager.querySelector("a.older") && !pager.querySelector(".list-end")) {
        const end = document.createElement("p");
        end.className = "list-end";
        end.textContent = "No more articles";
        pager.appendChild(end);
      }
    } catch (_) {
      older.textContent = "Older articles";
    } finally {
      loading = false;
    }
    observe();
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "400px" });

  function observe() {
    observer.disconnect();
    const older = pager.querySelector("a.older");
    if (older) observer.observe(older);
  }
  observe();
}

// Article pages are cached and identical for everyone, so the "Edit" link is revealed here:
// only browsers that signed in (a script-readable hint cookie) ask whether this user may
// edit this article; readers make no extra request.
async function setupEditLink() {
  const article = document.querySelector("article[data-article-id]");
  const link = document.getElementById("edit-link");
  if (!article || !link || !/(?:^|;\s*)dl_signed_in=1/.test(document.cookie)) return;
  try {
    const r = await fetch(`/api/v1/admin/articles/${article.dataset.articleId}/permissions`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!r.ok) return;
    const p = await r.json();
    if (p.edit && p.edit_url) {
      link.href = p.edit_url;
      link.parentElement.hidden = false;
    }
  } catch (_) {
    // No link is the safe default.
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupEditLink();
  setupShare();
  setupInfiniteList();
});
