// "Copy link": the browser copies its own address (what the page shows, rate included).
// navigator.clipboard needs a secure context (https or localhost); on plain http from
// another machine it is missing, so the link is shown selected for Ctrl+C instead.
export default function ({ parentElement }) {
  if (parentElement.__lrlabCopy) return;
  parentElement.__lrlabCopy = true;
  const button = parentElement.querySelector("button");
  const field = parentElement.querySelector("input");
  const note = parentElement.querySelector(".note");
  button.addEventListener("click", async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      note.textContent = "Copied.";
      field.hidden = true;
    } catch (err) {
      field.hidden = false;
      field.value = url;
      field.focus();
      field.select();
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (e) {}
      note.textContent = copied ? "Copied." : "Press Ctrl+C (⌘C) to copy the selected link.";
    }
  });
}
