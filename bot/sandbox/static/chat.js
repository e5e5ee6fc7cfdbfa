// 공감 sandbox chat page. Message text is untrusted: it is only ever set through textContent.
"use strict";

const api = "/sandbox/api";
const $ = (id) => document.getElementById(id);
const view = { userId: null, version: null, poll: null, toastTimer: null };

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
  view.toastTimer = setTimeout(() => { box.hidden = true; }, alert ? 5000 : 2500);
}

function showError(error) {
  toast("오류: " + (error && error.message ? error.message : error), true);
}

function formatTime(unix) {
  return new Date(unix * 1000).toLocaleString("ko-KR", { dateStyle: "short", timeStyle: "short" });
}

function renderInlineKeyboard(message) {
  const box = el("div", "keyboard");
  for (const row of message.buttons) {
    const line = el("div", "krow");
    for (const button of row) {
      if (button.url) {
        const link = el("a", "", button.text);
        if (/^https?:\/\//i.test(button.url)) link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        line.append(link);
      } else {
        const b = el("button", "", button.text);
        b.type = "button";
        b.addEventListener("click", () => press(message, button));
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
    b.append(el("span", "", option.text), el("span", "", option.voter_count + "표"));
    b.disabled = poll.is_closed;
    b.addEventListener("click", () => vote(message, index, mine, poll.allows_multiple_answers));
    box.append(b);
  });
  const notes = [poll.is_anonymous ? "익명 투표" : "공개 투표", "참여 " + poll.total_voter_count + "명"];
  if (poll.is_closed) notes.push("마감됨");
  box.append(el("div", "note", notes.join(" · ")));
  return box;
}

function renderMessage(message) {
  const row = el("div", "row " + (message.from_bot ? "bot" : "user"));
  const bubble = el("div", "bubble");
  if (message.file) {
    const label = message.file.kind === "photo" ? "📷 사진" : "📎 " + (message.file.name || "파일");
    bubble.append(el("div", "attachment", label));
  }
  if (message.contact) bubble.append(el("div", "attachment", "📞 " + message.contact));
  if (message.poll) bubble.append(renderPoll(message));
  if (message.text) bubble.append(document.createTextNode(message.text));
  if (bubble.childNodes.length) row.append(bubble);
  if (message.buttons.length) row.append(renderInlineKeyboard(message));
  const meta = (message.from_bot ? "" : message.sender + " · ") + formatTime(message.date);
  row.append(el("div", "meta", meta + (message.edited ? " · 수정됨" : "")));
  return row;
}

function renderReplyKeyboard(rows) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  for (const row of rows || []) {
    const line = el("div", "krow");
    for (const button of row) {
      const b = el("button", "", button.text);
      b.type = "button";
      b.addEventListener("click", () => (button.request_contact ? shareContact() : send(button.text)));
      line.append(b);
    }
    box.append(line);
  }
}

function renderChat(data) {
  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  list.replaceChildren();
  if (!data.messages.length) list.append(el("p", "empty", "아직 메시지가 없어요. /start 를 보내 보세요."));
  for (const message of data.messages) list.append(renderMessage(message));
  renderReplyKeyboard(data.reply_keyboard);
  renderTime(data.now);
  if (nearBottom) list.scrollTop = list.scrollHeight;
}

function renderTime(now) {
  $("time-bar").hidden = !now;
  if (now) $("now").textContent = new Date(now).toLocaleString("ko-KR");
}

function renderUsers(users, selected) {
  const select = $("user-select");
  select.replaceChildren();
  for (const user of users) {
    const option = el("option", "", user.first_name + " (" + user.id + ", " + user.language_code + ")");
    option.value = String(user.id);
    select.append(option);
  }
  if (selected) select.value = String(selected);
  $("add-user").hidden = users.length > 0;
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
  if (view.poll) view.poll.abort();
  pollMessages();
}

async function pollMessages() {
  const controller = new AbortController();
  view.poll = controller;
  const userId = view.userId;
  while (!controller.signal.aborted && userId === view.userId) {
    try {
      const since = view.version === null ? "" : "?since=" + view.version;
      const data = await call("/chats/" + userId + "/messages" + since, undefined, controller.signal);
      view.version = data.version;
      renderChat(data);
    } catch (error) {
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function send(text) {
  if (!view.userId || !text.trim()) return;
  try {
    await call("/send", { user_id: view.userId, text });
  } catch (error) { showError(error); }
}

async function press(message, button) {
  try {
    const result = await call("/press", {
      user_id: view.userId, chat_id: view.userId, message_id: message.message_id,
      callback_data: button.callback_data,
    });
    if (result.answer && result.answer.text) toast(result.answer.text, result.answer.alert);
  } catch (error) { showError(error); }
}

async function vote(message, index, mine, multiple) {
  let options = [index];
  if (multiple) options = mine.includes(index) ? mine.filter((i) => i !== index) : mine.concat([index]);
  try {
    await call("/vote", { user_id: view.userId, chat_id: view.userId, message_id: message.message_id, option_ids: options });
  } catch (error) { showError(error); }
}

async function shareContact() {
  const phone = window.prompt("공유할 전화번호를 입력하세요", "010-1234-5678");
  if (!phone) return;
  try {
    await call("/contact", { user_id: view.userId, phone });
  } catch (error) { showError(error); }
}

async function addUser(event) {
  event.preventDefault();
  const name = $("new-name").value.trim();
  if (!name) return;
  try {
    const user = await call("/users", { first_name: name, language_code: $("new-lang").value });
    $("new-name").value = "";
    const data = await call("/overview");
    renderUsers(data.users, user.id);
    selectUser(user.id);
  } catch (error) { showError(error); }
}

async function travel(days) {
  try {
    const data = await call("/time/advance", { days });
    renderTime(data.now);
    toast(days + "일 뒤로 이동했어요");
  } catch (error) { showError(error); }
}

function wire() {
  $("send-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value;
    input.value = "";
    send(text);
  });
  $("user-select").addEventListener("change", (event) => selectUser(event.target.value));
  $("toggle-add").addEventListener("click", () => { $("add-user").hidden = !$("add-user").hidden; });
  $("add-user").addEventListener("submit", addUser);
  for (const b of document.querySelectorAll("#time-bar button")) {
    b.addEventListener("click", () => travel(Number(b.dataset.days)));
  }
}

wire();
loadOverview().catch(showError);
