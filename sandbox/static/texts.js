// 공감 sandbox: the 알림톡 and SMS texts the bot's sandbox text provider took instead of
// sending them, newest first. Text from the bot is untrusted: only ever set through
// textContent. Uses chat.js's helpers ($, el, call), which are loaded after this file.
"use strict";

const texts = { newest: null };
const TEXT_CHANNELS = { alimtalk: "알림톡", sms: "문자(SMS)", lms: "장문 문자(LMS)" };

function renderTexts(list) {
  $("texts-count").textContent = String(list.length);
  const box = $("texts-list");
  box.replaceChildren();
  if (!list.length) {
    box.append(el("p", "empty", "아직 보낸 알림톡·문자가 없어요."));
    return;
  }
  for (const text of list) {
    const item = el("article", "text-item");
    const head = el("header", "text-head");
    head.append(el("strong", null, TEXT_CHANNELS[text.channel] || text.channel),
      el("span", "muted", " → " + text.to + " · " + text.template));
    item.append(head, el("p", "text-body", text.text));
    box.append(item);
  }
}

// A long poll: the server answers at once the first time, then when a new text comes.
async function textsPoll() {
  for (;;) {
    try {
      const since = texts.newest === null ? "" : "?since=" + encodeURIComponent(texts.newest);
      const data = await call("/texts" + since);
      $("toggle-texts").hidden = !data.connected;
      if (!data.connected) return;
      texts.newest = data.texts.length ? data.texts[0].message_id : "";
      renderTexts(data.texts);
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function textsWire() {
  $("toggle-texts").addEventListener("click", () => {
    const open = $("texts").hidden;
    $("texts").hidden = !open;
    $("toggle-texts").setAttribute("aria-expanded", String(open));
  });
  textsPoll();
}
