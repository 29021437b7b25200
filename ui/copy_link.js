// "Copy link": the browser copies its own address (what the page shows, rate included).
// navigator.clipboard needs a secure context (https or localhost); on plain http from
// another machine it is missing, so the link is shown selected for Ctrl+C instead.
// The words are `data`, translated in Python; they are set on every update (the language
// can change while the button stays mounted).
export default function ({ parentElement, data }) {
  const button = parentElement.querySelector("button");
  const field = parentElement.querySelector("input");
  const note = parentElement.querySelector(".note");
  const words = data || {};
  parentElement.__lrlabWords = words;
  button.textContent = words.button || "";
  field.setAttribute("aria-label", words.field || "");
  if (parentElement.__lrlabCopy) return;
  parentElement.__lrlabCopy = true;
  button.addEventListener("click", async () => {
    const say = parentElement.__lrlabWords;
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      note.textContent = say.copied;
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
      note.textContent = copied ? say.copied : say.select;
    }
  });
}
