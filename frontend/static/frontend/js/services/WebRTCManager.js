// Face to face: one RTCPeerConnection per contact the world gives us, negotiated over the
// /ws/signal/<slug>/ socket (docs/protocol.md) with MDN's "perfect negotiation".
//
// The `initiator` makes the first offer; the `polite` side yields on a collision. Messages to a
// peer whose signal socket is not connected yet are lost, so the initiator sends its offer (and
// the candidates so far) again until answered, and the other side makes its own offer if none
// came. ICE restarts on failure (initiator side). A data channel ("state", opened by the
// initiator) tells the other side when we mute or turn the camera off. A call that cannot
// connect, and trouble on the signal socket, are said in the page (store.notice).
//
// A meeting the server moves to the media server (`call` on the signal socket) is JanusCall's;
// peers who moved into it stay until it carries them. A shared screen is one more track on each
// connection. After a reconnect, connections whose media flows are kept until the world confirms
// them (no teardown on a server restart). ICE servers: IceServers.js.

import { SpeakingDetector } from "../lib/audio.js";
import { gettext } from "../lib/i18n.js";
import { IceServers } from "./IceServers.js";
import { JanusCall } from "./JanusCall.js";
import { ReconnectingSocket } from "./socket.js";

const RESEND_MS = 1200; // then half as long again each time
const RESENDS = 8;
const POLITE_WAIT_MS = 2000;
const REJOIN_MS = 1200;
const LEVELS_EVERY_MS = 150;
const MEDIA_WAIT_MS = 8000; // calls start without our tracks if the permission prompt stays open
const MIN_VOLUME = 0.25;
const KINDS = ["audio", "video"];
const FAILED_NOTICE_MS = 12000;
// A peer who moved into our media server call stays connected peer-to-peer until the call carries
// them, at most this long (no gap in what we hear).
const MOVED_KEEP_MS = 10000;
const MOVED_CHECK_MS = 250;
// After a reconnect (a server restart, a network change) the server knows our contacts again only
// once everyone is back: a call whose media still flows is kept this long for its contact to be
// confirmed, on the same connection, instead of being torn down and made again.
const RECONNECT_GRACE_MS = 20000;
const TROUBLE_AGAIN_MS = 30000; // the same signal socket trouble is said at most this often
// Signal socket errors that happen in normal use: a candidate or two in flight when someone
// walks away (not_in_contact), or leaves the world (unknown_player).
const SIGNAL_ROUTINE = new Set(["not_in_contact", "unknown_player"]);
const SIGNAL_TROUBLE = {
  unavailable: gettext("The server could not pass on a call message; a call may not connect."),
  rate_limited: gettext("Calls are sending too much at once; a call may not connect."),
};

export class WebRTCManager {
  constructor(store, media) {
    this.store = store;
    this.media = media;
    this.peers = new Map(); // id -> peer (below)
    this.ice = new IceServers(store.state.config.urls.iceServers);
    this.stopped = false;
    this.ready = false;
    this.troubleSaid = new Map(); // signal error code -> when we last said it
    this.janus = null; // the media server call we are in (JanusCall), if any
    this.graceUntil = 0; // until then, unconfirmed peers with media flowing survive a reconnect
    this.created = 0; // peer connections made, for the test hook
    this.signalOpened = false;
    this.socket = new ReconnectingSocket(`/ws/signal/${encodeURIComponent(store.state.config.slug)}/`, {
      onMessage: (message) => this.handle(message),
      onStatus: (status) => {
        if (status !== "open") this.ready = false;
        if (status === "open" && this.signalOpened) this._reconnected();
        if (status === "open") this.signalOpened = true;
        store.state.connection.signal = status;
        store.emit("connection");
      },
      onClosed: (closing) => store.notice(gettext("Calls stopped: %(reason)s", { reason: closing.message }), { kind: "error", timeout: 0 }),
    });
  }

  // Called once the world has welcomed us. The camera and microphone are asked for when a call
  // first needs them (`_needMedia`), so that the first offers already carry our tracks.
  async start() {
    this.store.on("contacts", ({ added, removed, call, resync }) => {
      if (resync) this._reconnected();
      this._contactsChanged(added, removed, call);
    });
    this.store.on("welcome", () => this.ice.welcomed());
    this.media.onTracksChanged(() => {
      for (const peer of this.peers.values()) this._attachLocal(peer);
      this._sendStateToAll();
    });
    this.media.onScreenChanged(() => {
      for (const peer of this.peers.values()) this._attachScreen(peer);
      this._sendStateToAll();
    });
    window.addEventListener("pagehide", () => this.stop());
    await this.ice.load();
    this.socket.open();
    this.levels = setInterval(() => this._levels(), LEVELS_EVERY_MS);
  }

  stop() {
    this.stopped = true;
    this.ice.stop();
    clearInterval(this.levels);
    this.socket.close();
    this._leaveCall();
    for (const id of [...this.peers.keys()]) this._close(id);
  }

  // Which way calls go now: the media server's call and whom it carries, the peer-to-peer peers.
  callStatus() {
    const janus = this.janus;
    return {
      call: janus ? janus.call : null,
      carried: janus ? [...janus.peers.keys()].filter((feed) => janus.carries(feed)) : [],
      p2p: [...this.peers.keys()],
      unconfirmed: [...this.peers.values()].filter((peer) => peer.unconfirmed).map((peer) => peer.id),
      created: this.created,
      mix: janus && janus.mixer ? janus.mixer.status() : null,
    };
  }

  // A copy of the ICE servers the next call will use, and the last `turn` answer.
  iceStatus() {
    return this.ice.status();
  }

  // --- signaling ---------------------------------------------------------------------------

  _signal(message) {
    this.socket.send(message);
  }

  handle(message) {
    switch (message.type) {
      case "ready":
        this.ready = true;
        return this._sync(message.contacts || []);
      case "offer":
      case "answer":
      case "candidate":
      case "hangup": {
        const from = message.from;
        if (typeof from !== "number") return undefined;
        let peer = this.peers.get(from);
        if (!peer) {
          if (message.type !== "offer") return undefined;
          // The server relays only between players in contact: an offer may beat the world's
          // `contacts` message to us.
          peer = this._open({ id: from, initiator: false, polite: message.polite !== false, listen: message.listen === true });
        }
        peer.queue = peer.queue.then(() => this._receive(peer, message)).catch((error) => {
          console.warn(`signal from ${from}:`, error);
        });
        return undefined;
      }
      case "call":
        return this._call(message);
      case "error":
        console.warn("signal socket:", message.code, message.message);
        if (!SIGNAL_ROUTINE.has(message.code)) this._trouble(message.code);
        return undefined;
      default:
        return undefined;
    }
  }

  async _receive(peer, message) {
    if (this.peers.get(peer.id) !== peer) return; // closed meanwhile
    const pc = peer.pc;
    if (message.type === "hangup") {
      if (message.reason === "call_moved") return this._closeWhenCarried(peer);
      if (this._survives(peer)) return undefined; // the other side is reconnecting too
      this._close(peer.id);
      if (message.reason !== "contact_ended") setTimeout(() => this._sync([]), REJOIN_MS);
      return;
    }
    if (message.type === "candidate") {
      try {
        await pc.addIceCandidate(message.candidate || null);
      } catch (error) {
        if (!peer.ignoreOffer) console.warn("candidate refused:", error.message);
      }
      return;
    }
    const description = { type: message.type, sdp: message.sdp };
    if (description.type === "answer" && pc.signalingState !== "have-local-offer") return; // answer to a resent offer
    const collision = description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
    peer.ignoreOffer = !peer.polite && collision;
    if (peer.ignoreOffer) return;
    try {
      await pc.setRemoteDescription(description);
    } catch (error) {
      if (description.type !== "offer") throw error;
      // Their page was reloaded: a new identity cannot renegotiate the old connection.
      this._close(peer.id);
      const fresh = this._open({ id: peer.id, initiator: peer.initiator, polite: peer.polite });
      fresh.queue = fresh.queue.then(() => this._receive(fresh, message));
      return;
    }
    peer.negotiated = true;
    clearTimeout(peer.politeTimer);
    if (description.type === "offer") {
      this._attachLocal(peer); // send our tracks on the transceivers the offer created
      await pc.setLocalDescription();
      this._signal({ type: "answer", to: peer.id, sdp: pc.localDescription.sdp });
    } else {
      clearTimeout(peer.resendTimer);
    }
  }

  async _offer(peer) {
    const pc = peer.pc;
    try {
      peer.makingOffer = true;
      await pc.setLocalDescription();
      if (pc.signalingState !== "have-local-offer") return;
      peer.resends = 0;
      this._sendOffer(peer);
    } catch (error) {
      console.warn(`offer to ${peer.id} failed:`, error);
    } finally {
      peer.makingOffer = false;
    }
  }

  _sendOffer(peer) {
    const pc = peer.pc;
    this._signal({ type: "offer", to: peer.id, sdp: pc.localDescription.sdp });
    clearTimeout(peer.resendTimer);
    peer.resendTimer = setTimeout(() => {
      if (this.peers.get(peer.id) !== peer || pc.signalingState !== "have-local-offer" || peer.resends >= RESENDS) return;
      peer.resends += 1;
      this._sendOffer(peer);
      for (const candidate of peer.candidates) this._signal({ type: "candidate", to: peer.id, candidate });
    }, RESEND_MS * 1.5 ** peer.resends);
  }

  // --- peers -------------------------------------------------------------------------------

  _contactsChanged(added, removed, call) {
    for (const id of added) {
      const peer = this.peers.get(id);
      if (peer) peer.unconfirmed = false;
    }
    for (const id of removed) {
      const peer = this.peers.get(id);
      if (peer && call) this._closeWhenCarried(peer);
      else if (!peer || !this._survives(peer)) this._close(id);
    }
    if (this.ready && added.length) this._sync([]);
  }

  // --- surviving a reconnect -------------------------------------------------------------------

  // Either socket came back: until each peer is confirmed by the world's contacts again (or the
  // grace ends), a connection whose media flows is not torn down (no new offers, no gap).
  _reconnected() {
    this.graceUntil = performance.now() + RECONNECT_GRACE_MS;
    for (const peer of this.peers.values()) peer.unconfirmed = true;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this._sync([]), RECONNECT_GRACE_MS + 100);
  }

  _survives(peer) {
    // "disconnected" too: ICE's consent checks lapse for a moment on a starved machine and come
    // back on their own; "failed" is what says the media path is broken (an ICE restart then).
    const flowing = ["connected", "connecting", "disconnected"].includes(peer.pc.connectionState);
    return Boolean(peer.unconfirmed && flowing && performance.now() < this.graceUntil);
  }

  // --- meetings through the media server (docs/janus.md) ---------------------------------------

  _call(message) {
    if (message.mode === "sfu" && message.janus) {
      const listenOnly = message.stage?.role === "listener"; // a stage's audience: receives, never publishes
      if (this.janus && this.janus.call === message.call && !this.janus.closed && this.janus.listenOnly === listenOnly) {
        this.janus.setHidden(message.hidden);
        this.janus.setMix(message.mix || null); // the call's sound mixed by the server, or no longer
        return;
      }
      this._leaveCall();
      const call = new JanusCall(this.store, this.media, {
        ticket: message.janus, call: message.call, iceServers: this.ice.servers, videoLimit: message.video_limit,
        mix: message.mix || null, hidden: message.hidden, listenOnly, onEnded: (reason) => {
          if (this.janus === call) this.janus = null;
          if (reason) this.store.notice(gettext("The meeting call ended: %(reason)s", { reason }), { kind: "warning" });
        },
      });  // prettier-ignore
      this.janus = call;
      const ready = listenOnly ? Promise.resolve() : this._needMedia();
      ready.then(() => (this.janus === call ? call.start() : undefined)).catch((error) => {
        console.warn("meeting: could not join the call:", error);
        if (this.janus === call) this._leaveCall();
        this.store.notice(gettext("Could not join the meeting's call; walk out and in again to retry."), { kind: "warning" });
      });
      return;
    }
    this._leaveCall();
    if (message.mode === "unavailable") this.store.notice(message.message, { kind: "warning" });
    this._sync([]);
  }

  _leaveCall() {
    const call = this.janus;
    this.janus = null;
    if (call) call.stop();
  }

  // Keep a peer who moved into our call until the call plays their media (or MOVED_KEEP_MS).
  _closeWhenCarried(peer) {
    if (peer.moving) return;
    peer.moving = true;
    const since = performance.now();
    const check = () => {
      if (this.peers.get(peer.id) !== peer) return;
      const carried = this.janus && this.janus.carries(peer.id);
      if (carried) this.janus.show(peer.id);
      if (carried || performance.now() - since > MOVED_KEEP_MS) this._close(peer.id);
      else peer.movingTimer = setTimeout(check, MOVED_CHECK_MS);
    };
    check();
  }

  // The camera/microphone question, asked once, when the first call needs it: settled when the
  // person answered, or after MEDIA_WAIT_MS (calls then start without our tracks; they join later).
  _needMedia() {
    if (!this.mediaAsked) {
      const waited = new Promise((resolve) => setTimeout(resolve, MEDIA_WAIT_MS));
      this.mediaAsked = Promise.race([this.media.acquire(), waited]).then(() => (this.mediaSettled = true));
    }
    return this.mediaAsked;
  }

  // Make the peers match our contacts (the world's, and those the signal socket listed).
  _sync(listed) {
    if (!this.ready) return;
    const wanted = new Map(this.store.state.contacts);
    for (const contact of listed) if (!wanted.has(contact.id)) wanted.set(contact.id, contact);
    for (const [id, peer] of this.peers) {
      if (peer.moving) continue; // on its way into our call (_closeWhenCarried)
      if (wanted.has(id)) peer.unconfirmed = false;
      else if (this._survives(peer)) continue;
      if (!wanted.has(id) || ["failed", "closed"].includes(peer.pc.connectionState)) this._close(id);
    }
    const opening = [...wanted.values()].filter((contact) => !this.peers.has(contact.id));
    if (opening.some((contact) => !contact.listen) && !this.mediaSettled) {
      this._needMedia().then(() => this._sync(listed));
      return;
    }
    for (const contact of opening) this._open(contact);
  }

  // `listen`: a stage's speaker, whom we only receive; `speak`: one of our stage's audience, who
  // only receives from us (docs/protocol.md `contacts`).
  _open({ id, initiator, polite, listen, speak }) {
    const pc = new RTCPeerConnection({ iceServers: this.ice.servers });
    this.created += 1;
    const peer = {
      id, initiator: Boolean(initiator), polite: Boolean(polite), listen: Boolean(listen), speak: Boolean(speak), pc,
      stream: new MediaStream(), videoStreams: new Map(), screen: null, queue: Promise.resolve(), candidates: [],
      makingOffer: false, ignoreOffer: false, negotiated: false, resends: 0, iceFailures: 0, failureSaid: false,
      state: "new", muted: false, cameraOff: false, speaking: false, volume: 1, detector: null,
    };
    this.peers.set(id, peer);
    // The initiator opens it, so that a peer without data channels (an aiortc bot) still talks.
    if (peer.initiator) this._useChannel(peer, pc.createDataChannel("state"));
    pc.ondatachannel = ({ channel }) => {
      if (channel.label === "state") this._useChannel(peer, channel);
    };
    pc.onicecandidate = ({ candidate }) => {
      const init = candidate ? candidate.toJSON() : null;
      peer.candidates.push(init);
      this._signal({ type: "candidate", to: id, candidate: init });
    };
    pc.ontrack = ({ track, streams }) => this._remoteTrack(peer, track, streams[0]);
    pc.onnegotiationneeded = () => {
      if (peer.initiator || peer.negotiated) {
        this._offer(peer);
        return;
      }
      // The initiator offers first; ours only if theirs does not come.
      clearTimeout(peer.politeTimer);
      peer.politeTimer = setTimeout(() => {
        if (this.peers.get(id) === peer && !pc.remoteDescription && pc.signalingState === "stable") this._offer(peer);
      }, POLITE_WAIT_MS);
    };
    pc.oniceconnectionstatechange = () => this._iceState(peer);
    pc.onconnectionstatechange = () => {
      peer.state = pc.connectionState;
      // ICE failures ("failed") are _iceState's, which restarts first. Otherwise the connection
      // failed for good: its secure transport, or ICE as Chromium reports it (the connection
      // "failed" while the ICE state stays "disconnected", so no restart follows).
      if (pc.connectionState === "failed" && pc.iceConnectionState !== "failed") this._callFailed(peer);
      this.store.emit("peers");
    };
    this._attachLocal(peer);
    this._attachScreen(peer);
    this.store.state.peers.set(id, peer);
    this.store.emit("peers");
    return peer;
  }

  // On ICE failure the initiator restarts ICE (every time); the other side waits for that
  // restart. A failure after a restart, on either side, is said once until the call connects.
  _iceState(peer) {
    const state = peer.pc.iceConnectionState;
    if (state === "connected" || state === "completed") {
      peer.iceFailures = 0;
      peer.failureSaid = false;
      return;
    }
    if (state !== "failed") return;
    peer.iceFailures += 1;
    if (peer.initiator) peer.pc.restartIce();
    if (peer.iceFailures > 1) this._callFailed(peer);
  }

  _callFailed(peer) {
    if (peer.failureSaid || this.peers.get(peer.id) !== peer) return;
    peer.failureSaid = true;
    const other = this.store.state.players.get(peer.id);
    const name = (other && other.name) || gettext("someone nearby");
    this.store.notice(gettext("The call with %(name)s could not connect.", { name }), { kind: "warning", timeout: FAILED_NOTICE_MS });
  }

  _trouble(code) {
    const now = performance.now();
    if (now - (this.troubleSaid.get(code) ?? -Infinity) < TROUBLE_AGAIN_MS) return;
    this.troubleSaid.set(code, now);
    this.store.notice(SIGNAL_TROUBLE[code] || gettext("Setting up a call went wrong (%(code)s).", { code }), { kind: "warning" });
  }

  // Put our current tracks on the connection: on the transceiver of the same kind when there is
  // one (no renegotiation), else as a new track. An initiator without a camera or microphone
  // still asks to receive both.
  _attachLocal(peer) {
    const pc = peer.pc;
    if (pc.signalingState === "closed" || peer.listen) return;
    for (const kind of KINDS) {
      const track = this.media.track(kind);
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === kind && !t.stopped);
      if (transceiver) {
        if (transceiver.sender.track !== track) transceiver.sender.replaceTrack(track).catch(() => {});
        if (track) {
          if (transceiver.sender.setStreams) transceiver.sender.setStreams(this.media.stream);
          if (transceiver.direction === "recvonly") transceiver.direction = "sendrecv";
          if (transceiver.direction === "inactive") transceiver.direction = "sendonly";
        }
      } else if (track) {
        pc.addTrack(track, this.media.stream);
      } else if (peer.initiator) {
        pc.addTransceiver(kind, { direction: "recvonly" });
      }
    }
  }

  // A shared screen, on its own transceiver (a change of tracks: renegotiated like any other).
  _attachScreen(peer) {
    const pc = peer.pc;
    if (pc.signalingState === "closed" || peer.listen) return;
    const track = this.media.screenTrack();
    if (track && !peer.screenSender) peer.screenSender = pc.addTrack(track, this.media.screen);
    else if (!track && peer.screenSender) {
      pc.removeTrack(peer.screenSender);
      peer.screenSender = null;
    }
  }

  // Their camera and microphone come in one stream, a shared screen in another: the data channel
  // says which is which (`camera`, `screen`: stream ids), and may say it after the track came.
  _remoteTrack(peer, track, stream) {
    if (peer.speak) return; // our audience sends nothing we take
    if (track.kind === "video" && stream) {
      if (!peer.videoStreams.has(stream.id)) stream.addEventListener("removetrack", () => this._sortVideo(peer));
      peer.videoStreams.set(stream.id, stream);
      this._sortVideo(peer);
      const changed = () => this.store.emit("peers");
      track.addEventListener("mute", changed);
      track.addEventListener("unmute", changed);
      return;
    }
    for (const old of peer.stream.getTracks()) if (old.kind === track.kind) peer.stream.removeTrack(old);
    peer.stream.addTrack(track);
    if (track.kind === "audio") {
      if (peer.detector) peer.detector.close();
      peer.detector = new SpeakingDetector(track);
    }
    const changed = () => this.store.emit("peers");
    track.addEventListener("mute", changed);
    track.addEventListener("unmute", changed);
    this.store.emit("peers");
  }

  // The camera's video into the tile's stream, the shared screen (if any) as `peer.screen`.
  _sortVideo(peer) {
    const streams = [...peer.videoStreams.values()].filter((stream) => stream.getVideoTracks().length);
    const camera = streams.find((stream) => stream.id === peer.cameraId) || streams.find((stream) => stream.id !== peer.screenId);
    const screen = (peer.screenId && streams.find((stream) => stream.id === peer.screenId)) || null;
    const cameraTrack = camera ? camera.getVideoTracks()[0] : null;
    for (const old of peer.stream.getVideoTracks()) if (old !== cameraTrack) peer.stream.removeTrack(old);
    if (cameraTrack && !peer.stream.getVideoTracks().includes(cameraTrack)) peer.stream.addTrack(cameraTrack);
    peer.screen = screen;
    this.store.emit("peers");
  }

  _close(id) {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    clearTimeout(peer.resendTimer);
    clearTimeout(peer.politeTimer);
    clearTimeout(peer.movingTimer);
    if (peer.detector) peer.detector.close();
    peer.pc.close();
    peer.state = "closed";
    if (this.store.state.peers.get(id) === peer) {
      this.store.state.peers.delete(id);
      if (this.janus) this.janus.show(id); // their tile from our call, if it has them
    }
    this.store.emit("peers");
  }

  // --- muted / camera off, speaking, volume ------------------------------------------------

  _useChannel(peer, channel) {
    peer.channel = channel;
    channel.onopen = () => this._sendState(peer);
    channel.onmessage = (event) => this._peerState(peer, event.data);
    if (channel.readyState === "open") this._sendState(peer);
  }

  _sendState(peer) {
    if (!peer.channel || peer.channel.readyState !== "open") return;
    const { muted, cameraOff } = this.store.state.media;
    const silent = !this.media.track("audio");
    const screen = this.media.screen ? this.media.screen.id : null;
    peer.channel.send(JSON.stringify({
      muted: muted || silent, cameraOff: cameraOff || !this.media.track("video"), camera: this.media.stream.id, screen,
    }));  // prettier-ignore
  }

  _sendStateToAll() {
    for (const peer of this.peers.values()) this._sendState(peer);
  }

  _peerState(peer, data) {
    try {
      const state = JSON.parse(data);
      peer.muted = Boolean(state.muted);
      peer.cameraOff = Boolean(state.cameraOff);
      peer.cameraId = typeof state.camera === "string" ? state.camera : null;
      peer.screenId = typeof state.screen === "string" ? state.screen : null;
    } catch {
      return;
    }
    this._sortVideo(peer);
  }

  // Who is speaking, and how loud each peer should be: full volume up close or in the same
  // meeting room, softer towards the edge of the talk radius.
  _levels() {
    const state = this.store.state;
    const now = performance.now();
    let changed = this.media.updateSpeaking(now);
    if (this.janus && this.janus.levels(now)) changed = true;
    const me = state.me;
    const radius = (state.world && state.world.talk_radius) || 2.5;
    const meeting = state.zone && state.zone.kind === "meeting";
    for (const peer of this.peers.values()) {
      if (peer.moving) continue;
      const speaking = Boolean(peer.detector && !peer.muted && peer.detector.speaking(now));
      if (speaking !== peer.speaking) {
        peer.speaking = speaking;
        changed = true;
      }
      const other = state.players.get(peer.id);
      let volume = 1;
      if (me && other && !meeting) {
        const distance = Math.hypot(other.x - me.x, other.y - me.y);
        volume = Math.max(MIN_VOLUME, Math.min(1, 1 - ((distance - 1) / Math.max(0.5, radius - 1)) * (1 - MIN_VOLUME)));
      }
      if (Math.abs(volume - peer.volume) > 0.02) {
        peer.volume = volume;
        changed = true;
      }
    }
    if (changed) this.store.emit("levels");
  }
}
