// 공감 sandbox: a resident's chat as KakaoTalk. What is typed or tapped goes, through the
// sandbox server, to the bot's real skill endpoint as Kakao's skill request; the skill
// response (simpleText, simpleImage, textCard, basicCard, listCard, quickReplies, useCallback)
// is drawn here. Text from the bot is untrusted: it is only ever set through textContent.
// Uses chat.js's helpers ($, el, call, busy, view), which are loaded after this file.
"use strict";

const kakao = { on: false, enabled: false, version: null, poll: null };

function kakaoStored(userId) {
  return localStorage.getItem("sandbox-kakao-" + userId) === "1";
}

// Whether this resident's chat is KakaoTalk now (the switch is shown when the bot has it on).
async function kakaoCheck(userId) {
  const data = await call("/kakao/" + userId + "/messages");
  kakao.enabled = Boolean(data.enabled);
  $("toggle-kakao").hidden = !kakao.enabled;
  return kakao.enabled && kakaoStored(userId);
}

function kakaoSwitch(on) {
  kakao.on = on;
  localStorage.setItem("sandbox-kakao-" + view.userId, on ? "1" : "0");
  document.body.classList.toggle("kakao", on);
  $("toggle-kakao").setAttribute("aria-pressed", String(on));
  $("quick-replies").hidden = !on;
  if (kakao.poll) kakao.poll.abort();
  if (view.poll) view.poll.abort();
  $("messages").replaceChildren();
  renderReplyKeyboard(null);
  $("quick-replies").replaceChildren();
  view.version = null;
  view.scrollToEnd = true;
  kakao.version = null;
  if (on) kakaoPoll(); else pollMessages();
}

async function kakaoPoll() {
  const controller = new AbortController();
  kakao.poll = controller;
  const userId = view.userId;
  while (!controller.signal.aborted && kakao.on && userId === view.userId) {
    try {
      const since = kakao.version === null ? "" : "?since=" + kakao.version;
      const data = await call("/kakao/" + userId + "/messages" + since, undefined, controller.signal);
      if (controller.signal.aborted || userId !== view.userId) return;
      kakao.version = data.version;
      kakaoRender(data.entries);
    } catch (error) {
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

// Says `utterance` (and, for a tapped block button, its `extra`) in KakaoTalk.
async function kakaoSay(utterance, extra) {
  view.scrollToEnd = true;
  await call("/kakao/say", { user_id: view.userId, utterance, extra: extra || {} });
}

function kakaoRender(entries) {
  const list = $("messages");
  const stayAtEnd = view.scrollToEnd || nearBottom(list);
  list.replaceChildren();
  if (!entries.length) {
    list.append(el("p", "empty", "카카오톡 대화를 시작해 보세요. 아래 칸에 「안녕하세요」를 보내 보세요."));
  }
  let replies = [];
  for (const entry of entries) {
    if (entry.from === "user") list.append(kakaoUserRow(entry.text));
    else replies = kakaoBotRows(list, entry.response);
  }
  kakaoQuickReplies(replies);
  if (stayAtEnd) list.scrollTop = list.scrollHeight;
  view.atEnd = stayAtEnd;
  view.scrollToEnd = false;
}

function kakaoUserRow(text) {
  const row = el("div", "row user");
  row.append(el("div", "bubble", text));
  return row;
}

// The rows of one skill response; its quick replies are returned (only the last are shown).
function kakaoBotRows(list, response) {
  if (response.useCallback) {
    const row = el("div", "row bot waiting");
    row.append(el("div", "bubble", (response.data && response.data.text) || "…"));
    list.append(row);
    return [];
  }
  const template = response.template || {};
  for (const output of template.outputs || []) {
    const row = el("div", "row bot");
    row.append(kakaoOutput(output));
    list.append(row);
  }
  return template.quickReplies || [];
}

function kakaoOutput(output) {
  const [kind, value] = Object.entries(output)[0] || ["", {}];
  if (kind === "simpleText") return el("div", "bubble", value.text);
  if (kind === "simpleImage") return kakaoImage(value.imageUrl, value.altText, "bubble picture");
  if (kind === "textCard" || kind === "basicCard") return kakaoCard(value);
  if (kind === "listCard") return kakaoList(value);
  return el("div", "bubble", "(" + kind + ")");
}

function kakaoImage(url, alt, className) {
  const box = el("div", className);
  const img = el("img");
  img.alt = alt || "그림";
  if (/^https?:\/\//i.test(url || "")) img.src = url;
  box.append(img);
  return box;
}

function kakaoCard(card) {
  const box = el("div", "card");
  if (card.thumbnail && card.thumbnail.imageUrl) {
    box.append(kakaoImage(card.thumbnail.imageUrl, card.title, "thumbnail"));
  }
  if (card.title) box.append(el("strong", "card-title", card.title));
  if (card.description) box.append(el("div", "card-text", card.description));
  box.append(kakaoButtons(card.buttons));
  return box;
}

function kakaoList(card) {
  const box = el("div", "card list");
  box.append(el("strong", "card-title", (card.header && card.header.title) || ""));
  for (const item of card.items || []) {
    const line = el("div", "list-item");
    if (item.imageUrl) line.append(kakaoImage(item.imageUrl, item.title, "list-image"));
    const words = el("div", "list-words");
    words.append(el("div", "list-title", item.title));
    if (item.description) words.append(el("div", "list-text", item.description));
    line.append(words);
    box.append(line);
  }
  box.append(kakaoButtons(card.buttons));
  return box;
}

function kakaoButtons(buttons) {
  const box = el("div", "card-buttons");
  for (const button of buttons || []) box.append(kakaoButton(button, "card-button"));
  return box;
}

// A card button or quick reply: a link opens, a message or block button says its text.
function kakaoButton(button, className) {
  if (button.action === "webLink" || button.action === "share" || button.action === "phone") {
    const link = el("a", className, button.label + (button.action === "webLink" ? " ↗" : ""));
    const target = button.action === "phone" ? "tel:" + button.phoneNumber : button.webLinkUrl;
    if (/^(https?:\/\/|tel:)/i.test(target || "")) link.href = target;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  const b = el("button", className, button.label);
  b.type = "button";
  const extra = button.action === "block" ? button.extra : undefined;
  b.addEventListener("click", () => busy(b, () => kakaoSay(button.messageText || button.label, extra)));
  return b;
}

function kakaoQuickReplies(replies) {
  const box = $("quick-replies");
  box.replaceChildren(...replies.map((reply) => kakaoButton(reply, "chip")));
}

function kakaoWire() {
  $("toggle-kakao").addEventListener("click", () => {
    kakaoSwitch(!kakao.on);
    toast(kakao.on ? "카카오톡으로 대화해요" : "텔레그램으로 대화해요");
  });
}
