// 공감 sandbox chat page. Message text is untrusted: it is only ever set through textContent.
"use strict";

const api = "/sandbox/api";
const $ = (id) => document.getElementById(id);
// The menu keyboard stays open where there is room for it; short screens fold it after use.
const roomForMenu = window.matchMedia("(min-height: 760px)");
const view = {
  userId: null, version: null, poll: null, toastTimer: null, scrollToEnd: true, atEnd: true,
  // Pictures by address, reused across re-renders so that they never load twice.
  images: new Map(),
  menuOpen: roomForMenu.matches,
};
// The bot serves a Korean district: its time is Korea's, whatever the viewer's computer says.
const ZONE = "Asia/Seoul";
const LANGUAGES = { ko: "한국어", en: "English", zh: "中文", vi: "Tiếng Việt" };
const yearFormat = new Intl.DateTimeFormat("ko-KR", { timeZone: ZONE, year: "numeric" });
const dayFormat = new Intl.DateTimeFormat("ko-KR", { timeZone: ZONE, month: "long", day: "numeric" });
const weekdayFormat = new Intl.DateTimeFormat("ko-KR", { timeZone: ZONE, weekday: "short" });
const clockFormat = new Intl.DateTimeFormat("ko-KR", { timeZone: ZONE, hour: "numeric", minute: "2-digit" });
const messageTimeFormat = new Intl.DateTimeFormat("ko-KR", {
  timeZone: ZONE, month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
});

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function call(path, body, signal) {
  const options = body === undefined
    ? { signal }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal };
  const response = await fetch(api + path, options);
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function toast(text, alert) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "toast alert" : "toast";
  box.hidden = false;
  clearTimeout(view.toastTimer);
  view.toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 3000);
}

function showError(error) {
  toast("문제가 생겼어요: " + (error && error.message ? error.message : error), true);
}

// Runs `action` with `button` disabled, so a slow answer can't be triggered twice.
async function busy(button, action) {
  if (button.disabled) return;
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

function renderInlineKeyboard(message) {
  const box = el("div", "keyboard");
  for (const row of message.buttons) {
    const line = el("div", "krow");
    for (const button of row) {
      if (button.url) {
        const link = el("a", "", button.text + " ↗");
        if (/^https?:\/\//i.test(button.url)) link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        line.append(link);
      } else {
        const b = el("button", "", button.text);
        b.type = "button";
        b.addEventListener("click", () => busy(b, () => press(message, button)));
        line.append(b);
      }
    }
    box.append(line);
  }
  return box;
}

function renderPoll(message) {
  const poll = message.poll;
  const box = el("div", "poll");
  box.append(el("h4", "", "📊 " + poll.question));
  const mine = poll.my_votes_by_user[String(view.userId)] || [];
  poll.options.forEach((option, index) => {
    const b = el("button", "option" + (mine.includes(index) ? " mine" : ""));
    b.type = "button";
    b.append(el("span", "", (mine.includes(index) ? "✔ " : "") + option.text), el("span", "count", option.voter_count + "표"));
    b.disabled = poll.is_closed;
    b.addEventListener("click", () => busy(b, () => vote(message, index, mine, poll.allows_multiple_answers)));
    box.append(b);
  });
  const notes = [poll.is_anonymous ? "익명 투표" : "공개 투표", "참여 " + poll.total_voter_count + "명"];
  if (poll.is_closed) notes.push("마감됨");
  box.append(el("div", "note", notes.join(" · ")));
  return box;
}

function nearBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 120;
}

// A picture that arrives keeps the conversation at its end if that is where the reader was.
function image(file) {
  const known = view.images.get(file.url);
  if (known) return known;
  const img = el("img");
  img.alt = file.kind === "photo" ? "사진" : file.name || "그림";
  img.addEventListener("load", () => {
    const list = $("messages");
    if (view.atEnd) list.scrollTop = list.scrollHeight;
  });
  img.addEventListener("error", () => {
    const missing = el("div", "attachment", "📷 " + img.alt + " (불러오지 못했어요)");
    view.images.set(file.url, missing);
    img.replaceWith(missing);
  });
  img.src = file.url;
  view.images.set(file.url, img);
  return img;
}

function renderFile(file) {
  if (file.image) {
    const link = el("a", "photo");
    link.href = file.url;
    link.target = "_blank";
    link.rel = "noopener";
    const picture = image(file);
    if (picture.tagName !== "IMG") return picture;
    link.append(picture);
    return link;
  }
  const link = el("a", "attachment", "📎 " + (file.name || "파일") + " ⬇");
  link.href = file.url;
  link.download = file.name || "";
  return link;
}

function renderMessage(message) {
  const row = el("div", "row " + (message.from_bot ? "bot" : "user"));
  row.dataset.messageId = String(message.message_id);
  const bubble = el("div", "bubble");
  if (message.file) bubble.append(renderFile(message.file));
  if (message.contact) bubble.append(el("div", "attachment", "📞 " + message.contact));
  if (message.location) bubble.append(el("div", "attachment", "📍 " + message.location.map((n) => n.toFixed(4)).join(", ")));
  if (message.poll) bubble.append(renderPoll(message));
  if (message.text) bubble.append(document.createTextNode(message.text));
  if (bubble.childNodes.length) row.append(bubble);
  if (message.buttons.length) row.append(renderInlineKeyboard(message));
  const meta = (message.from_bot ? "" : message.sender + " · ") + messageTimeFormat.format(new Date(message.date * 1000));
  row.append(el("div", "meta", meta + (message.edited ? " · 수정됨" : "")));
  return row;
}

function showMenu(open) {
  view.menuOpen = open;
  const hasMenu = $("reply-keyboard").childElementCount > 0;
  $("toggle-menu").hidden = !hasMenu;
  $("toggle-menu").setAttribute("aria-expanded", String(hasMenu && open));
  $("reply-keyboard").hidden = !(hasMenu && open);
  if (view.atEnd) $("messages").scrollTop = $("messages").scrollHeight;
}

function renderReplyKeyboard(rows) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  for (const row of rows || []) {
    const line = el("div", "krow");
    for (const button of row) {
      const b = el("button", "", button.text);
      b.type = "button";
      b.addEventListener("click", () => {
        if (!roomForMenu.matches) showMenu(false);
        if (button.request_location) return shareLocation();
        return button.request_contact ? shareContact() : send(button.text);
      });
      line.append(b);
    }
    box.append(line);
  }
  showMenu(view.menuOpen);
}

function emptyChat() {
  return el("p", "empty", view.userId
    ? "아직 주고받은 메시지가 없어요. 아래 칸에 /start 를 입력하고 보내기를 눌러 보세요."
    : "위에서 ＋ 주민 추가로 주민을 추가하고 /start 를 보내 보세요.");
}

function renderChat(data) {
  const list = $("messages");
  const stayAtEnd = view.scrollToEnd || nearBottom(list);
  list.replaceChildren();
  if (!data.messages.length) list.append(emptyChat());
  for (const message of data.messages) list.append(renderMessage(message));
  renderReplyKeyboard(data.reply_keyboard);
  renderTime(data.now);
  if (stayAtEnd) list.scrollTop = list.scrollHeight;
  view.atEnd = stayAtEnd;
  view.scrollToEnd = false;
}

function renderTime(now) {
  $("time-bar").hidden = !now;
  if (!now) return;
  const at = new Date(now);
  // e.g. "2026년 11월 24일 (화) 오후 3:00"; narrow screens leave the year out
  $("now").replaceChildren(
    el("span", "year", yearFormat.format(at) + " "),
    dayFormat.format(at) + " (" + weekdayFormat.format(at) + ") " + clockFormat.format(at),
  );
}

function userLabel(user) {
  return user.first_name + " · " + (LANGUAGES[user.language_code] || user.language_code) + " · #" + user.id;
}

function renderUsers(users, selected) {
  const select = $("user-select");
  select.replaceChildren();
  if (!users.length) {
    const none = el("option", "", "아직 주민이 없어요");
    none.value = "";
    select.append(none);
  }
  for (const user of users) {
    const option = el("option", "", userLabel(user));
    option.value = String(user.id);
    select.append(option);
  }
  select.disabled = !users.length;
  if (selected) select.value = String(selected);
  showAddForm(!users.length);
}

function showAddForm(show) {
  $("add-user").hidden = !show;
  $("toggle-add").setAttribute("aria-expanded", String(show));
  if (show && view.userId) $("new-name").focus();
}

async function loadOverview() {
  const data = await call("/overview");
  $("bot-name").textContent = data.bot.first_name;
  const stored = Number(localStorage.getItem("sandbox-user"));
  const known = data.users.some((u) => u.id === stored);
  const selected = known ? stored : (data.users[0] && data.users[0].id);
  renderUsers(data.users, selected);
  renderTime(data.now);
  if (selected) selectUser(selected);
}

function selectUser(userId) {
  view.userId = Number(userId);
  localStorage.setItem("sandbox-user", String(view.userId));
  view.version = null;
  view.scrollToEnd = true;
  if (view.poll) view.poll.abort();
  // Until the new chat arrives, show nothing of the previous resident's conversation.
  $("messages").replaceChildren();
  renderReplyKeyboard(null);
  kakaoCheck(view.userId).then(kakaoSwitch, () => kakaoSwitch(false));
}

async function pollMessages() {
  const controller = new AbortController();
  view.poll = controller;
  const userId = view.userId;
  while (!controller.signal.aborted && userId === view.userId) {
    try {
      const since = view.version === null ? "" : "?since=" + view.version;
      const data = await call("/chats/" + userId + "/messages" + since, undefined, controller.signal);
      if (controller.signal.aborted || userId !== view.userId) return;
      view.version = data.version;
      renderChat(data);
    } catch (error) {
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function send(text) {
  if (!text.trim()) return;
  if (!view.userId) {
    toast("먼저 위에서 주민을 추가해 주세요.", true);
    showAddForm(true);
    $("new-name").focus();
    return;
  }
  view.scrollToEnd = true;
  try {
    await (kakao.on ? kakaoSay(text) : call("/send", { user_id: view.userId, text }));
  } catch (error) { showError(error); }
}

// The picture goes with what is typed in the box as its caption, as a phone sends it.
async function sendPhoto(input) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  if (!view.userId) {
    toast("먼저 위에서 주민을 추가해 주세요.", true);
    return;
  }
  const form = new FormData();
  form.append("user_id", String(view.userId));
  form.append("caption", $("text").value);
  form.append("photo", file, file.name);
  view.scrollToEnd = true;
  const response = await fetch(api + "/photo", { method: "POST", body: form });
  if (!response.ok) throw new Error(await response.text());
  $("text").value = "";
  fitMessageBox();
}

async function press(message, button) {
  const result = await call("/press", {
    user_id: view.userId, chat_id: view.userId, message_id: message.message_id,
    callback_data: button.callback_data,
  });
  if (result.answer && result.answer.text) toast(result.answer.text, result.answer.alert);
}

async function vote(message, index, mine, multiple) {
  let options = [index];
  if (multiple) options = mine.includes(index) ? mine.filter((i) => i !== index) : mine.concat([index]);
  await call("/vote", { user_id: view.userId, chat_id: view.userId, message_id: message.message_id, option_ids: options });
}

async function shareContact() {
  const phone = window.prompt("공유할 전화번호를 입력하세요", "010-1234-5678");
  if (!phone) return;
  view.scrollToEnd = true;
  try {
    await call("/contact", { user_id: view.userId, phone });
  } catch (error) { showError(error); }
}

async function shareLocation() {
  // A phone would send its position; here the place is typed (default: near 구로3동).
  const typed = window.prompt("공유할 위치를 위도,경도로 입력하세요", "37.4840,126.8962");
  if (!typed) return;
  const [latitude, longitude] = typed.split(",").map((part) => Number(part.trim()));
  view.scrollToEnd = true;
  try {
    await call("/location", { user_id: view.userId, latitude, longitude });
  } catch (error) { showError(error); }
}

async function addUser() {
  const name = $("new-name").value.trim();
  if (!name) return;
  const user = await call("/users", { first_name: name, language_code: $("new-lang").value });
  $("new-name").value = "";
  const data = await call("/overview");
  renderUsers(data.users, user.id);
  selectUser(user.id);
  toast(user.first_name + " 님으로 대화해요");
}

async function travel(days) {
  const data = await call("/time/advance", { days });
  renderTime(data.now);
  toast(days + "일 뒤로 시간을 보냈어요");
}

// The message box grows with its lines, up to its CSS max-height (then it scrolls).
function fitMessageBox() {
  const box = $("text");
  box.style.height = "";
  if (!box.value) return;
  box.style.height = "auto";
  box.style.height = box.scrollHeight + (box.offsetHeight - box.clientHeight) + "px";
}

// Enter sends and Shift+Enter starts a new line; Enter that ends a Hangul syllable does neither.
function sendOnEnter(event) {
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  $("send-form").requestSubmit();
}

function wire() {
  $("send-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    input.value = "";
    fitMessageBox();
    send(text);
  });
  if (window.matchMedia("(min-width: 561px)").matches) {
    $("text").placeholder = "메시지 입력 · Shift+Enter로 줄 바꿈";
  }
  $("text").addEventListener("keydown", sendOnEnter);
  $("photo").addEventListener("change", (event) => { sendPhoto(event.target).catch(showError); });
  $("text").addEventListener("input", fitMessageBox);
  $("messages").addEventListener("scroll", () => { view.atEnd = nearBottom($("messages")); },
    { passive: true });
  $("toggle-menu").addEventListener("click", () => showMenu(!view.menuOpen));
  $("toggle-travel").addEventListener("click", () => {
    const open = $("travel").hidden;
    $("travel").hidden = !open;
    $("toggle-travel").setAttribute("aria-expanded", String(open));
  });
  $("user-select").addEventListener("change", (event) => {
    if (event.target.value) selectUser(event.target.value);
  });
  $("toggle-add").addEventListener("click", () => showAddForm($("add-user").hidden));
  kakaoWire();
  textsWire();
  $("add-user").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.target.querySelector("button[type=submit]"), addUser);
  });
  for (const b of document.querySelectorAll("#time-bar button")) {
    b.addEventListener("click", () => busy(b, () => travel(Number(b.dataset.days))));
  }
}

wire();
loadOverview().catch(showError);
