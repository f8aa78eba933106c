// The desk's rich-text editor: django-prose-editor's ProseMirror bundle, with
// only what the reader pages allow (herald.core.sanitize). Without this script
// the field stays a plain text box whose blank lines part paragraphs.
import {
  Blockquote,
  Bold,
  BulletList,
  Document,
  Dropcursor,
  Editor,
  Extension,
  Gapcursor,
  HardBreak,
  Heading,
  History,
  Italic,
  Link,
  ListItem,
  Menu,
  OrderedList,
  Paragraph,
  Plugin,
  SpecialCharacters,
  Text,
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
  Heading.configure({ levels: [2, 3, 4] }),
  BulletList,
  OrderedList,
  ListItem,
  Blockquote,
  Link.configure({ openOnClick: false }),
  PasteCleanup,
];

// An empty document is one empty paragraph; the form gets "" for it.
const EMPTY = /^<(\w+)(\s[^>]*)?><\/\1>$/i;

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null;
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
