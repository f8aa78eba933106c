// The desk's rich-text editor: django-prose-editor's ProseMirror bundle, with
// only what the reader pages allow (herald.core.sanitize). Without this script
// the field stays a plain text box whose blank lines part paragraphs.
import {
  Blockquote,
  Bold,
  BulletList,
  Code,
  CodeBlock,
  Document,
  Dropcursor,
  Editor,
  Extension,
  Gapcursor,
  HardBreak,
  Heading,
  History,
  HorizontalRule,
  Italic,
  Link,
  ListItem,
  Menu,
  OrderedList,
  Paragraph,
  Plugin,
  SpecialCharacters,
  Strike,
  Subscript,
  Superscript,
  Text,
  Underline,
  initializeEditors,
} from "../django_prose_editor/editor.js";
import { cleanPastedHtml } from "./paste_cleanup.js";

const PasteCleanup = Extension.create({
  name: "heraldPasteCleanup",
  addProseMirrorPlugins() {
    return [new Plugin({ props: { transformPastedHTML: cleanPastedHtml } })];
  },
});

const EXTENSIONS = [
  Document,
  Paragraph,
  Text,
  HardBreak,
  Dropcursor,
  Gapcursor,
  History,
  Menu,
  SpecialCharacters,
  Bold,
  Italic,
  Underline,
  Strike,
  Subscript,
  Superscript,
  Code,
  CodeBlock,
  HorizontalRule,
  Heading.configure({ levels: [2, 3, 4] }),
  BulletList,
  OrderedList,
  ListItem,
  Blockquote,
  Link.configure({ openOnClick: false }),
  PasteCleanup,
];

// What the editor can hold. A body with anything else the reader pages allow (a
// table, a figure, an abbreviation: wire copy has them) stays a text box of HTML,
// so that opening and saving it never loses a part.
const HOLDS = new Set(
  "p br h2 h3 h4 ul ol li blockquote a strong b em i u s sub sup hr code pre".split(" "),
);

function editorCanHold(html) {
  const body = new DOMParser().parseFromString(html, "text/html").body;
  return [...body.querySelectorAll("*")].every((el) =>
    HOLDS.has(el.localName),
  );
}

function keepAsHtml(textarea) {
  const wrapper = document.createElement("div");
  wrapper.className = "body-editor-html";
  textarea.before(wrapper);
  wrapper.append(textarea);
  const note = document.createElement("p");
  note.className = "body-editor-note";
  note.textContent =
    "This text holds a table or other markup the editor cannot keep, so it " +
    "is shown as HTML here. Edit it as HTML; it is cleaned on save.";
  textarea.after(note);
}

// An empty document is one empty paragraph; the form gets "" for it.
const EMPTY = /^<(\w+)(\s[^>]*)?><\/\1>$/i;

function createEditor(textarea) {
  if (textarea.closest(".prose-editor") || textarea.dataset.keptAsHtml) {
    return null;
  }
  if (!editorCanHold(textarea.value)) {
    textarea.dataset.keptAsHtml = "1";
    keepAsHtml(textarea);
    return null;
  }
  const wrapper = document.createElement("div");
  wrapper.className = "prose-editor";
  textarea.before(wrapper);
  wrapper.append(textarea);
  const editor = new Editor({
    element: wrapper,
    extensions: EXTENSIONS,
    content: textarea.value,
    editable: !textarea.disabled,
    // The editor's base styles are in body_editor.css: the desk's content
    // security policy allows no inline <style>.
    injectCSS: false,
    onUpdate({ editor }) {
      const html = editor.getHTML();
      textarea.value = EMPTY.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", {
      detail: { editor, textarea },
      bubbles: true,
    }),
  );
  return editor;
}

initializeEditors(createEditor, "[data-herald-editor]");
