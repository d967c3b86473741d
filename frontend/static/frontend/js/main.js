// The world page: wires the store, the services (world, chat, media, calls) and the components.

import { ChatWindow } from "./components/ChatWindow.js";
import { PeopleList } from "./components/PeopleList.js";
import { Guide } from "./components/Guide.js";
import { Knocks } from "./components/Knocks.js";
import { Minimap } from "./components/Minimap.js";
import { PeoplePanel } from "./components/PeoplePanel.js";
import { PlayerMenu } from "./components/PlayerMenu.js";
import { ReportDialog } from "./components/ReportDialog.js";
import { AreaEffects } from "./services/AreaEffects.js";
import { Blocker } from "./services/Blocker.js";
import { Finder } from "./services/Finder.js";
import { VideoTiles } from "./components/VideoTiles.js";
import { WorldView } from "./components/WorldView.js";
import { EMOTES } from "./lib/bubbles.js";
import { h } from "./lib/dom.js";
import { gettext } from "./lib/i18n.js";
import { COME_BACK_IN } from "./protocol.js";
import { ChatService } from "./services/ChatService.js";
import { LocalMedia } from "./services/LocalMedia.js";
import { WebRTCManager } from "./services/WebRTCManager.js";
import { WorldService } from "./services/WorldService.js";
import { createStore } from "./store.js";

const $ = (id) => document.getElementById(id);

const config = JSON.parse($("world-config").textContent);
const store = createStore(config);
const world = new WorldService(store);
const chat = new ChatService(store);
const media = new LocalMedia(store);
const rtc = new WebRTCManager(store, media);
const canvas = $("world-canvas");

const reporter = new ReportDialog({ store });
const blocker = new Blocker(store);
const view = new WorldView({ canvas, store, world, banner: $("zone-banner"), zoneLabel: $("zone-label") });
const chatWindow = new ChatWindow({
  root: $("chat"), store, chat, toggle: $("chat-toggle"), badge: $("chat-badge"), app: $("app"), canvas, reporter,
});
const finder = new Finder({ store, world, view });
const menu = new PlayerMenu({
  dialog: $("player-menu"), opener: $("menu-button"), store, world, media, finder,
  muteButton: $("mute-button"), cameraButton: $("camera-button"),
});
const tiles = new VideoTiles({
  root: $("videos"), bar: $("call-bar"), screens: $("screens"), store, media, reporter, blocker, world,
});
view.coveredTop = () => tiles.coveredHeight();
// What a sheet over the map's bottom (the chat or the people panel on a phone) covers of it, in
// CSS pixels; beside the map (a desktop) or closed, nothing.
view.coveredBottom = () => {
  const stage = $("stage").getBoundingClientRect();
  let covered = 0;
  for (const sheet of [$("chat"), $("people-panel"), $("cowebsite")]) {
    const box = sheet.getBoundingClientRect();
    if (!box.height || box.left >= stage.right - 1 || box.right <= stage.left + 1 || box.top >= stage.bottom) continue;
    covered = Math.max(covered, stage.bottom - Math.max(box.top, stage.top));
  }
  return covered;
};
const people = new PeopleList({ root: $("people"), store });
const peoplePanel = new PeoplePanel({
  root: $("people-panel"), opener: $("people-button"), store, world, finder, chat: chatWindow, blocker, reporter,
});

// Share screen: to whoever we are in a call with (peer-to-peer or through the media server).
const screenButton = $("screen-button");
screenButton.hidden = !media.canShareScreen;
screenButton.addEventListener("click", () => (media.screen ? media.stopScreen() : media.startScreen()));
store.on("media", () => {
  const sharing = Boolean(media.screen);
  screenButton.setAttribute("aria-pressed", String(sharing));
  screenButton.textContent = sharing ? gettext("Stop sharing") : gettext("Share screen");
});

// Reactions: a row of buttons the React button opens; each shows over our avatar for everyone.
const reactButton = $("react-button");
const reactions = $("reactions");
reactions.replaceChildren(...Object.entries(EMOTES).map(([emote, [glyph, label]]) =>
  h("button", { type: "button", class: "reaction", "aria-label": label, title: label, onclick: () => {
    world.react(emote);
    reactions.hidden = true;
    reactButton.setAttribute("aria-expanded", "false");
  } }, glyph)));
reactButton.addEventListener("click", () => {
  reactions.hidden = !reactions.hidden;
  reactButton.setAttribute("aria-expanded", String(!reactions.hidden));
});

// --- what the page says about itself -----------------------------------------------------

function showNotice({ text, kind, timeout }) {
  const item = h("p", { class: `notice ${kind}` }, text,
    h("button", { type: "button", class: "link", "aria-label": gettext("Dismiss"), onclick: () => item.remove() }, "×"));
  $("notices").append(item);
  if (timeout) setTimeout(() => item.remove(), timeout);
}

const STATUS_TEXT = { connecting: gettext("Connecting…"), reconnecting: gettext("Reconnecting…"), closed: gettext("Disconnected") };

function showConnection() {
  const { connection } = store.state;
  const worst = ["closed", "reconnecting", "connecting"].find((status) => connection.world === status) ||
    (["chat", "signal"].some((name) => connection[name] === "reconnecting") ? "reconnecting" : "");
  const element = $("connection");
  element.textContent = STATUS_TEXT[worst] || "";
  element.dataset.status = worst || "open";
  // Each socket's own state too (data-world="open"...), for the curious and the browser tests.
  Object.assign(element.dataset, connection);
}

function showOverlay() {
  const { map, me, closed } = store.state;
  const overlay = $("overlay");
  if (closed) {
    $("overlay-text").textContent = closed.message;
    const again = COME_BACK_IN.has(closed.code);
    $("overlay-actions").replaceChildren(
      again ? h("button", { type: "button", onclick: () => location.reload() }, gettext("Come back in")) : "",
      " ", h("a", { class: "button secondary", href: config.urls.home }, gettext("All worlds")));
    overlay.hidden = false;
    return;
  }
  overlay.hidden = Boolean(map && me);
}

store.on("notice", showNotice);
store.on("connection", showConnection);
store.on("map", showOverlay);
store.on("welcome", showOverlay);
store.on("closed", () => {
  chat.stop();
  rtc.stop();
  showOverlay();
});
store.on("exit", (exit) => {
  world.stop();
  chat.stop();
  rtc.stop();
  location.assign(exit.url);
});

// --- starting ----------------------------------------------------------------------------

let started = false;
store.on("welcome", () => {
  if (started) return;
  started = true;
  new Guide({ root: $("stage"), store, canvas }).start();
  // The chat and signal sockets need us in the world first (else they close with NOT_IN_WORLD).
  chat.start();
  rtc.start(); // the camera and microphone are asked for when a call first needs them
});

view.start();
chatWindow.start();
menu.start();
tiles.start();
people.start();
peoplePanel.start();
new Knocks({ root: $("notices"), store, world, finder }).start();
new Minimap({ root: $("minimap"), toggle: $("minimap-button"), store, view }).start();
new AreaEffects({
  store, view, stage: $("stage"), canvas, panel: $("cowebsite"), soundsButton: $("sounds-button"), badge: $("stage-badge"),
}).start();
$("zoom-in").addEventListener("click", () => view.zoomBy(1));
$("zoom-out").addEventListener("click", () => view.zoomBy(-1));
world.start();
showConnection();

// --- a read-only window for the browser tests (and the curious) ---------------------------

// The tests drive the page through what a person sees (the DOM). What nobody can read off the
// page but a test must measure comes from here as plain copies: where everyone stands, how often
// we were welcomed or corrected, the frame rate, the ICE servers the next call will use, and
// where a map tile is drawn (to click it). Never the live store or a service.
window.metaverse = Object.freeze({
  inspect: () => ({
    ...store.snapshot(), frames: view.frameStats(), ice: rtc.iceStatus(), calls: rtc.callStatus(),
    bubbles: view.bubbleStatus(), emotes: view.emoteStatus(), drawn: view.drawStatus(),
    focus: view.focus && { ...view.focus }, // the area the camera frames (its scale: frames.scale)
  }),
  pointOfTile: (tx, ty) => view.pointOfTile(tx, ty),
});
