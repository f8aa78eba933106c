// What a word processor or a web page puts on the clipboard, made plain before
// the editor's schema reads it. The schema keeps only the tags it knows, and the
// text inside the ones it does not; so this file does what the schema cannot: it
// turns what documents say with styles (Word's lists, Google Docs' bold) into
// tags, and drops what is not text (buttons, frames, empty lines). The schema
// drops every other tag and attribute, and the server sanitizes what is saved
// (herald.core.sanitize).

// Never part of a story's text; the schema would keep a button's or a frame's
// words as if they were.
const NOT_TEXT =
  "script, style, template, noscript, button, iframe, object, embed, svg, " +
  "canvas, select, input, textarea, o\\:p";

// Word writes a list item as a paragraph styled `mso-list:l0 level1 lfo1` (list
// l0, level 1), with its bullet or number in a span styled `mso-list:Ignore`,
// between the conditional comments `[if !supportLists]` and `[endif]`.
const WORD_ITEM = /mso-list:\s*(l\d+)\s+level(\d+)/i;
const WORD_MARKER = /mso-list:\s*ignore/i;
// A number or letter ("1.", "b)", "iv.") marks an ordered item; a bullet item has
// a glyph ("·", "o", "§").
const ORDERED_MARKER = /^\s*(\d+|[a-z]{1,4})[.)]/i;

// Parsing markup applies its styles and event handlers even in a document that is
// never shown, and the desk's content security policy (style-src and script-src
// 'self') refuses each one with an error in the console. So <style> elements go,
// and style and on… attributes are renamed data-style and data-on…, before the
// markup is parsed; the steps below read data-style. (A ">" inside a quoted value
// ends a tag early here, and an attribute after it is parsed as it is: refused,
// which only logs.)
const STYLE_ELEMENT = /<style\b[^>]*>[\s\S]*?<\/style\s*>/gi;
const START_TAG = /<[a-z][^>]*>/gi;
const INLINE_ATTRIBUTE = /(\s)(style|on[a-z]+)(\s*=)/gi;
const RENAMED = /^data-(style|on[a-z]+)$/;

function withoutInlineCode(html) {
  return html
    .replace(STYLE_ELEMENT, "")
    .replace(START_TAG, (tag) => tag.replace(INLINE_ATTRIBUTE, "$1data-$2$3"));
}

// One declaration of an element's (renamed) style attribute.
function styleValue(el, property) {
  for (const declaration of (el.getAttribute("data-style") || "").split(";")) {
    const [name, value = ""] = declaration.split(":");
    if (name.trim().toLowerCase() === property) return value.trim().toLowerCase();
  }
  return "";
}

function rename(el, tag) {
  const renamed = el.ownerDocument.createElement(tag);
  renamed.append(...el.childNodes);
  el.replaceWith(renamed);
}

// Google Docs wraps a copy in
// <b style="font-weight:normal" id="docs-internal-guid-…">, which the schema would
// read as bold text.
function unwrapDocsWrapper(root) {
  for (const el of root.querySelectorAll('b[id^="docs-internal-guid"]')) {
    el.replaceWith(...el.childNodes);
  }
}

// Remove Word's bullet or number of one item and say whether it was a number.
function takeWordMarker(item) {
  const marker = [...item.querySelectorAll("span")].find((span) =>
    WORD_MARKER.test(span.getAttribute("data-style") || ""),
  );
  const ordered = ORDERED_MARKER.test(marker ? marker.textContent : "");
  // Between the comments is the marker and the span that sets its font.
  const comments = item.ownerDocument.createTreeWalker(item, NodeFilter.SHOW_COMMENT);
  const starts = [];
  while (comments.nextNode()) {
    if (/^\[if !supportLists\]/i.test(comments.currentNode.data)) {
      starts.push(comments.currentNode);
    }
  }
  for (const start of starts) {
    while (start.nextSibling && !/^\[endif\]/i.test(start.nextSibling.data || "")) {
      start.nextSibling.remove();
    }
  }
  if (marker) marker.remove();
  return ordered;
}

// Word's list paragraphs become <ul>/<ol> with <li>, nested by their level.
// Consecutive paragraphs of one Word list (l0, l1, …) make one list.
function wordLists(root) {
  let run = null; // {id, stack: [{list, level}]} of the list being built
  for (const item of root.querySelectorAll("[data-style*='mso-list' i]")) {
    const match = WORD_ITEM.exec(item.getAttribute("data-style"));
    if (!match) continue; // the marker spans: mso-list:Ignore
    const [, id, levelText] = match;
    const level = Number(levelText);
    const ordered = takeWordMarker(item);
    const continues =
      run && run.id === id && item.previousElementSibling === run.stack[0].list;
    if (!continues) run = { id, stack: [] };
    const { stack } = run;
    while (stack.length && stack.at(-1).level > level) stack.pop();
    if (!stack.length || stack.at(-1).level < level) {
      const list = item.ownerDocument.createElement(ordered ? "ol" : "ul");
      if (stack.length) stack.at(-1).list.lastElementChild.append(list);
      else item.before(list);
      stack.push({ list, level });
    }
    const li = item.ownerDocument.createElement("li");
    li.append(...item.childNodes);
    stack.at(-1).list.append(li);
    item.remove();
  }
}

// Google Docs puts a nested list straight inside its parent list, after the item
// it belongs to; HTML (and the schema) want it inside that item.
function nestListsInItems(root) {
  for (const list of root.querySelectorAll(":is(ul, ol) > :is(ul, ol)")) {
    const item = list.previousElementSibling;
    if (item && item.tagName === "LI") item.append(list);
  }
}

// Google Docs and web pages say bold and italic with styles on spans.
function styledEmphasis(root) {
  for (const span of root.querySelectorAll("span[data-style]")) {
    const weight = styleValue(span, "font-weight");
    const marks = [];
    if (weight === "bold" || weight === "bolder" || Number(weight) >= 600) {
      marks.push("strong");
    }
    if (styleValue(span, "font-style") === "italic") marks.push("em");
    for (const tag of marks) {
      const mark = span.ownerDocument.createElement(tag);
      mark.append(...span.childNodes);
      span.append(mark);
    }
  }
}

// The reader page's <h1> is the headline, and the editor offers <h2> to <h4>: a
// document that uses <h1> for its sections moves every heading one level down.
function headingLevels(root) {
  const shift = root.querySelector("h1") ? 1 : 0;
  for (const heading of root.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Math.min(Number(heading.tagName[1]) + shift, 4);
    if (heading.tagName !== `H${level}`) rename(heading, `h${level}`);
  }
}

// Word's and LibreOffice's empty paragraphs (&nbsp;, <br>) and the line breaks
// Google Docs puts between blocks.
function dropEmptyLines(root) {
  for (const p of root.querySelectorAll("p, div")) {
    if (!p.textContent.replace(/[\s\u00a0]/g, "")) p.remove();
  }
  for (const br of root.querySelectorAll(":scope > br")) br.remove();
}

export function cleanPastedHtml(html) {
  const markup = withoutInlineCode(html);
  const root = new DOMParser().parseFromString(markup, "text/html").body;
  for (const el of root.querySelectorAll(NOT_TEXT)) el.remove();
  unwrapDocsWrapper(root);
  wordLists(root);
  nestListsInItems(root);
  styledEmphasis(root);
  headingLevels(root);
  dropEmptyLines(root);
  for (const el of root.querySelectorAll("*")) {
    for (const name of el.getAttributeNames()) {
      if (RENAMED.test(name)) el.removeAttribute(name);
    }
  }
  return root.innerHTML;
}
