// A meeting carried by the media server (docs/janus.md, docs/protocol.md "call"): the signal
// socket says `call` `sfu` with a ticket; we join the Janus VideoRoom it names, publish our camera
// and microphone once, and receive everyone else's over one subscriber connection. The people in
// the call appear in `store.state.peers` like peer-to-peer ones (`sfu: true`), keyed by player id
// (a publisher's feed id is its player id).
//
// A call the server mixes (`mix` in the message: more than CALL_AUDIO_MIX_LIMIT people) keeps
// cameras and screens here but moves everyone's sound to Janus's AudioBridge (JanusMix.js): our
// microphone stops going to the video room and we receive no one's sound from it.
//
// Janus's WebSocket API, spoken directly: every request carries the ticket's `token`; requests
// are matched to answers by `transaction`; a keep-alive every 25 s keeps the session.

import { SpeakingDetector } from "../lib/audio.js";
import { gettext } from "../lib/i18n.js";
import { JanusMix } from "./JanusMix.js";

const KEEPALIVE_MS = 25000;
const REQUEST_MS = 10000;
const KINDS = ["audio", "video"];
const RECONCILE_MS = 1000; // how often the nearest cameras are looked at again
const MIX_HANDOVER_MS = 1500; // leaving the mix: how long it plays on while voices come back here

class JanusError extends Error {
  constructor(code, reason) {
    super(`Janus ${code}: ${reason}`);
    this.code = code;
  }
}

export class JanusCall {
  constructor(store, media, { ticket, call, iceServers, videoLimit, mix, hidden, listenOnly, onEnded }) {
    this.store = store;
    this.media = media;
    this.ticket = ticket;
    this.call = call;
    this.iceServers = iceServers;
    this.onEnded = onEnded;
    this.videoLimit = videoLimit || 9;
    this.pending = new Map(); // transaction -> {resolve, reject, timer}
    this.next = 1;
    this.closed = false;
    this.peers = new Map(); // feed (player id) -> peer
    this.mids = new Map(); // subscriber mid -> {feed, screen}
    this.available = new Map(); // feed -> Map(mid -> {type, screen}): what the publishers offer
    this.subscribedStreams = new Set(); // "feed:mid" of the publishers' streams we receive
    this.screenStreams = new Set(); // "feed:mid" of the publishers' streams that are screens
    this.listened = new WeakSet(); // receiving tracks we listen to
    this.subscriberQueue = Promise.resolve();
    this.publisherQueue = Promise.resolve();
    this.published = false;
    this.screenTransceiver = null;
    this.mix = mix || null; // {room, left, right} while the call's sound is mixed
    this.mixer = null; // our JanusMix then
    this.hidden = new Set(hidden || []); // members kept apart from us by a block: not received, not shown
    this.listenOnly = Boolean(listenOnly); // a stage's audience: we publish nothing
  }

  // Join the room and publish; resolves once our offer is answered.
  async start() {
    this.ws = new WebSocket(this.ticket.url, "janus-protocol");
    this.ws.onmessage = (event) => this._message(JSON.parse(event.data));
    this.ws.onclose = () => this._ended(gettext("The meeting server closed the connection."));
    await new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new JanusError(0, "cannot reach the meeting server"));
    });
    this.session = (await this._request({ janus: "create" })).data.id;
    this.keepalive = setInterval(() => this._send({ janus: "keepalive", session_id: this.session }), KEEPALIVE_MS);
    this.publisherHandle = await this._attach();
    const joined = await this._plugin(this.publisherHandle, {
      request: "join", ptype: "publisher", room: this.ticket.room, id: this.ticket.feed,
      display: String(this.ticket.feed), token: this.ticket.member_token,
    });
    this.privateId = joined.data.private_id;
    if (!this.listenOnly) await this._publish();
    if (this.mix) await this._joinMix();
    this._publishersListed(joined.data.publishers || []);
    this.nearest = setInterval(() => this._reconcile(), RECONCILE_MS);
    this.media.onTracksChanged(() => this._replaceTracks());
    this.media.onScreenChanged(() => this._queuePublisher(() => this._shareScreen()));
    if (this.media.screen) this._queuePublisher(() => this._shareScreen());
  }

  // Leave the room (the server also takes our token away); peers we showed go.
  stop() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    clearInterval(this.nearest);
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.session) {
      this._send({ janus: "destroy", session_id: this.session });
    }
    if (this.ws) this.ws.close();
    if (this.publisher) this.publisher.close();
    if (this.subscriber) this.subscriber.close();
    if (this.mixer) this.mixer.stop();
    for (const feed of [...this.peers.keys()]) this._drop(feed);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new JanusError(0, "left the call"));
    }
    this.pending.clear();
  }

  // The server mixes the call's sound now (`mix`), or no longer (null): our voice moves to the mix
  // and back, the new way up before the old goes.
  async setMix(mix) {
    if (this.closed) return;
    if (mix && this.mixer) {
      this.mixer.mix = this.mix = mix;
      return;
    }
    if (mix) {
      this.mix = mix;
      await this._joinMix();
      this._reconcile();
    } else if (this.mix) {
      this.mix = null;
      this._queuePublisher(() => this._voiceHere(true), gettext("Your microphone could not be moved back to the meeting."));
      this._reconcile();
      const mixer = this.mixer;
      this.mixer = null;
      if (mixer) setTimeout(() => mixer.leave(), MIX_HANDOVER_MS);
    }
  }

  async _joinMix() {
    const mixer = (this.mixer = new JanusMix(this, this.mix));
    try {
      await mixer.start();
    } catch (error) {
      console.warn("meeting: could not join the call's sound mix:", error);
      this.store.notice(gettext("Could not join the meeting's sound; walk out and in again to retry."), { kind: "warning" });
    }
    this._queuePublisher(() => this._voiceHere(false), gettext("Your microphone could not be moved to the meeting's mix."));
  }

  // Our microphone in the video room (on) or not (off: the mix carries it).
  async _voiceHere(on) {
    if (this.closed || !this.publisher) return;
    const audio = this.publisher.getTransceivers().find((transceiver) => this._kindOf(transceiver) === "audio");
    const direction = on ? "sendonly" : "inactive";
    if (!audio || audio.direction === direction) return;
    audio.direction = direction;
    await this._offer();
  }

  _kindOf(transceiver) {
    if (transceiver === this.screenTransceiver || transceiver.stopped) return null;
    return transceiver.sender.track ? transceiver.sender.track.kind : transceiver.receiver.track.kind;
  }

  // The members kept apart from us by a block (either way) changed: stop receiving and showing them.
  setHidden(hidden) {
    this.hidden = new Set(hidden || []);
    for (const feed of this.hidden) {
      const peer = this.peers.get(feed);
      if (!peer) continue;
      this.peers.delete(feed);
      if (peer.detector) peer.detector.close();
      if (this.store.state.peers.get(feed) === peer) this.store.state.peers.delete(feed);
    }
    this.store.emit("peers");
    this._reconcile();
  }

  // Feeds whose media plays, for the peer-to-peer side to let go of a `call_moved` peer.
  carries(feed) {
    const peer = this.peers.get(feed);
    return Boolean(peer && peer.state === "connected" && peer.stream.getTracks().length);
  }

  // Show the call's tile for `feed` (in place of a peer-to-peer one that is going).
  show(feed) {
    const peer = this.peers.get(feed);
    if (!peer || this.store.state.peers.get(feed) === peer) return;
    this.store.state.peers.set(feed, peer);
    this.store.emit("peers");
  }

  // --- the Janus API -------------------------------------------------------------------------

  _send(message) {
    this.ws.send(JSON.stringify({ ...message, token: this.ticket.token, transaction: `t${this.next++}` }));
  }

  _request(message) {
    const transaction = `t${this.next++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new JanusError(0, `no answer to ${message.janus}`));
      }, REQUEST_MS);
      this.pending.set(transaction, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...message, token: this.ticket.token, transaction }));
    });
  }

  async _attach(plugin = "janus.plugin.videoroom") {
    const answer = await this._request({ janus: "attach", plugin, session_id: this.session });
    return answer.data.id;
  }

  async _plugin(handle, body, jsep) {
    const message = { janus: "message", session_id: this.session, handle_id: handle, body };
    if (jsep) message.jsep = jsep;
    const answer = await this._request(message);
    const data = (answer.plugindata && answer.plugindata.data) || {};
    if (data.error_code) throw new JanusError(data.error_code, data.error);
    return { data, jsep: answer.jsep };
  }

  _message(message) {
    const waiting = message.transaction && this.pending.get(message.transaction);
    if (message.janus === "ack" && waiting) return; // an asynchronous request's receipt; its event follows
    if (waiting) {
      this.pending.delete(message.transaction);
      clearTimeout(waiting.timer);
      if (message.janus === "error") waiting.reject(new JanusError(message.error.code, message.error.reason));
      else waiting.resolve(message);
      return;
    }
    if (message.janus !== "event") {
      if (message.janus === "hangup" && message.sender === this.publisherHandle) this._ended(gettext("The meeting server hung up."));
      return;
    }
    const data = (message.plugindata && message.plugindata.data) || {};
    if (this.mixer && message.sender === this.mixer.handle) {
      this.mixer.event(data);
    } else if (message.sender === this.publisherHandle) {
      if (data.publishers) this._publishersListed(data.publishers);
      if (data.unpublished !== undefined && data.unpublished !== "ok") this._drop(data.unpublished);
      if (data.leaving === "ok" || data.reason === "kicked") this._ended(null);
      else if (data.leaving !== undefined) this._drop(data.leaving);
    } else if (message.sender === this.subscriberHandle && message.jsep) {
      // Janus renegotiates the subscription as publishers come and go.
      if (data.streams) this._streamsListed(data.streams);
      this.subscriberQueue = this.subscriberQueue.then(() => this._answer(message.jsep)).catch((error) => {
        console.warn("meeting: subscription update failed:", error);
      });
    }
  }

  _ended(message) {
    if (this.closed) return;
    this.stop();
    this.onEnded(message);
  }

  // --- publishing ------------------------------------------------------------------------------

  async _publish() {
    const pc = (this.publisher = new RTCPeerConnection({ iceServers: this.iceServers }));
    this._trickle(pc, this.publisherHandle);
    for (const kind of KINDS) {
      const track = this.media.track(kind);
      // In a mixed call our voice goes to the mix: the video room's sound stays off until it is not.
      const direction = kind === "audio" && this.mix ? "inactive" : "sendonly";
      if (track) pc.addTransceiver(track, { direction, streams: [this.media.stream] });
    }
    if (!pc.getTransceivers().length) return; // no camera, no microphone: we only listen
    await this._offer();
  }

  // (Re)negotiate our publication: `publish` the first time, `configure` after; a shared screen
  // is described as such so the others show it large.
  async _offer() {
    const pc = this.publisher;
    await pc.setLocalDescription();
    const body = { request: this.published ? "configure" : "publish" };
    const screen = this.screenTransceiver;
    if (screen && screen.mid !== null && !screen.stopped) body.descriptions = [{ mid: screen.mid, description: "screen" }];
    const { jsep } = await this._plugin(this.publisherHandle, body, { type: "offer", sdp: pc.localDescription.sdp });
    this.published = true;
    await pc.setRemoteDescription(jsep);
  }

  _queuePublisher(work, failure = gettext("Your screen could not be shared in the meeting.")) {
    this.publisherQueue = this.publisherQueue.then(work).catch((error) => {
      console.warn("meeting: publishing failed:", error);
      this.store.notice(failure, { kind: "warning" });
    });
  }

  async _shareScreen() {
    if (this.closed || !this.publisher) return;
    const track = this.media.screenTrack();
    if (track && !this.screenTransceiver) {
      this.screenTransceiver = this.publisher.addTransceiver(track, { direction: "sendonly", streams: [this.media.screen] });
    } else if (!track && this.screenTransceiver) {
      this.screenTransceiver.stop();
      this.screenTransceiver = null;
    } else return;
    await this._offer();
  }

  _replaceTracks() {
    if (!this.publisher || this.closed) return;
    for (const transceiver of this.publisher.getTransceivers()) {
      const kind = this._kindOf(transceiver);
      if (kind) transceiver.sender.replaceTrack(this.media.track(kind)).catch(() => {});
    }
    if (this.mixer) this.mixer.replaceTrack(this.media.track("audio"));
  }

  _trickle(pc, handle) {
    pc.onicecandidate = ({ candidate }) => {
      if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
      this._send({
        janus: "trickle", session_id: this.session, handle_id: handle,
        candidate: candidate ? candidate.toJSON() : { completed: true },
      });
    };
  }

  // --- receiving ------------------------------------------------------------------------------

  // What the publishers offer (their streams by mid), as Janus tells us.
  _publishersListed(publishers) {
    for (const publisher of publishers) {
      const streams = this.available.get(publisher.id) || new Map();
      for (const stream of publisher.streams || []) {
        const key = `${publisher.id}:${stream.mid}`;
        if (stream.description === "screen") this.screenStreams.add(key);
        if (stream.disabled) {
          // A stream they stopped (a disabled one no longer says what it was).
          streams.delete(String(stream.mid));
          this.subscribedStreams.delete(key);
          if (this.screenStreams.delete(key)) this._screen(publisher.id, null);
        } else {
          streams.set(String(stream.mid), { type: stream.type, screen: this.screenStreams.has(key) });
        }
      }
      this.available.set(publisher.id, streams);
      if (streams.size && !this.hidden.has(publisher.id)) this._peer(publisher.id); // a name tile until media comes
    }
    this._reconcile();
  }

  // Receive everyone's sound and shared screens, and the cameras of the `videoLimit` nearest (the
  // others show as name tiles); looked at again as people move.
  _reconcile() {
    if (this.closed) return;
    if (this.mixer) this.mixer.follow();
    const state = this.store.state;
    const me = state.me;
    const distance = (feed) => {
      const other = state.players.get(feed);
      return me && other ? Math.hypot(other.x - me.x, other.y - me.y) : Infinity;
    };
    const seen = new Set([...this.available.keys()].sort((a, b) => distance(a) - distance(b) || a - b).slice(0, this.videoLimit));
    const wanted = new Set();
    for (const [feed, streams] of this.available) {
      if (this.hidden.has(feed)) continue;
      for (const [mid, stream] of streams) {
        if (stream.type === "audio" && this.mix) continue; // the mix carries everyone's sound
        if (stream.type !== "video" || stream.screen || seen.has(feed)) wanted.add(`${feed}:${mid}`);
      }
    }
    const add = [...wanted].filter((key) => !this.subscribedStreams.has(key));
    const drop = [...this.subscribedStreams].filter((key) => !wanted.has(key));
    if (!add.length && !drop.length) return;
    for (const key of add) this.subscribedStreams.add(key);
    for (const key of drop) this.subscribedStreams.delete(key);
    const streams = (keys) => keys.map((key) => ({ feed: Number(key.split(":")[0]), mid: key.split(":")[1] }));
    this.subscriberQueue = this.subscriberQueue.then(() => this._update(streams(add), streams(drop))).catch((error) => {
      console.warn("meeting: could not change what we receive", error);
      for (const key of add) this.subscribedStreams.delete(key);
    });
  }

  async _update(subscribe, unsubscribe) {
    if (this.closed) return;
    if (!this.subscriberHandle) {
      if (!subscribe.length) return;
      this.subscriberHandle = await this._attach();
      const { data, jsep } = await this._plugin(this.subscriberHandle, {
        request: "join", ptype: "subscriber", room: this.ticket.room, private_id: this.privateId,
        streams: subscribe, token: this.ticket.member_token,
      });  // prettier-ignore
      this._streamsListed(data.streams || []);
      this.subscriber = new RTCPeerConnection({ iceServers: this.iceServers });
      this._trickle(this.subscriber, this.subscriberHandle);
      this.subscriber.ontrack = (event) => this._track(event);
      this.subscriber.onconnectionstatechange = () => {
        for (const peer of this.peers.values()) peer.state = this.subscriber.connectionState;
        this.store.emit("peers");
      };
      await this._answer(jsep);
      return;
    }
    const body = { request: "update" };
    if (subscribe.length) body.subscribe = subscribe;
    if (unsubscribe.length) body.unsubscribe = unsubscribe;
    const { data, jsep } = await this._plugin(this.subscriberHandle, body);
    this._streamsListed(data.streams || []);
    await this._answer(jsep);
  }

  async _answer(offer) {
    if (this.closed || !offer) return;
    await this.subscriber.setRemoteDescription(offer);
    await this.subscriber.setLocalDescription();
    await this._plugin(this.subscriberHandle, { request: "start" }, { type: "answer", sdp: this.subscriber.localDescription.sdp });
    this._assignTracks();
  }

  _streamsListed(streams) {
    for (const stream of streams) {
      if (stream.mid === undefined) continue;
      const known = this.mids.get(String(stream.mid));
      if (stream.active === false) {
        // A stream that ended (a screen no longer shared, a camera we stopped receiving): its
        // entry may no longer say whose, and Janus may give its place to another stream later.
        if (known && known.screen) this._screen(known.feed, null);
        this.mids.delete(String(stream.mid));
        continue;
      }
      if (stream.feed_id === undefined) continue;
      const screen = stream.feed_description === "screen";
      this.mids.set(String(stream.mid), { feed: stream.feed_id, screen });
      if (stream.feed_mid !== undefined) this.subscribedStreams.add(`${stream.feed_id}:${stream.feed_mid}`);
    }
  }

  _screen(feed, stream) {
    const peer = this.peers.get(feed);
    if (!peer || peer.screen === stream) return;
    peer.screen = stream;
    this.store.emit("peers");
  }

  _track({ track }) {
    if (!this.listened.has(track)) {
      this.listened.add(track);
      const changed = () => this._assignTracks();
      for (const event of ["mute", "unmute", "ended"]) track.addEventListener(event, changed);
    }
    this._assignTracks();
  }

  // Each receiving transceiver's track to the person (and camera or screen) its mid carries now:
  // Janus gives a mid that was freed (a camera we stopped receiving) to another stream later.
  _assignTracks() {
    if (!this.subscriber || this.closed) return;
    const owners = new Map(); // track -> {feed, screen}
    for (const transceiver of this.subscriber.getTransceivers()) {
      const found = this.mids.get(String(transceiver.mid));
      const track = transceiver.receiver.track;
      if (found && !transceiver.stopped && track.readyState === "live") owners.set(track, found);
    }
    for (const peer of this.peers.values()) {
      for (const track of peer.stream.getTracks()) {
        const owner = owners.get(track);
        if (!owner || owner.feed !== peer.id || owner.screen) peer.stream.removeTrack(track);
      }
      const shown = peer.screen && peer.screen.getVideoTracks()[0];
      const owner = shown && owners.get(shown);
      if (peer.screen && (!owner || owner.feed !== peer.id || !owner.screen || shown.muted)) peer.screen = null;
    }
    for (const [track, { feed, screen }] of owners) {
      if (this.hidden.has(feed)) continue;
      const peer = this._peer(feed);
      if (screen) {
        // Janus stops forwarding a screen that is no longer shared: the track falls silent.
        if (!track.muted && (!peer.screen || peer.screen.getVideoTracks()[0] !== track)) peer.screen = new MediaStream([track]);
        continue;
      }
      if (peer.stream.getTracks().includes(track)) continue;
      for (const old of peer.stream.getTracks()) if (old.kind === track.kind) peer.stream.removeTrack(old);
      peer.stream.addTrack(track);
      if (track.kind === "audio") {
        if (peer.detector) peer.detector.close();
        peer.detector = new SpeakingDetector(track);
      }
    }
    this.store.emit("peers");
  }

  _peer(feed) {
    let peer = this.peers.get(feed);
    if (!peer) {
      peer = {
        id: feed, sfu: true, call: this.call, stream: new MediaStream(), screen: null,
        state: this.subscriber ? this.subscriber.connectionState : "new",
        muted: false, cameraOff: false, speaking: false, volume: 1, detector: null,
      };
      this.peers.set(feed, peer);
      // A peer-to-peer connection to them may still be playing: it hands over once we carry them.
      const shown = this.store.state.peers.get(feed);
      if (!shown || shown.sfu) this.store.state.peers.set(feed, peer);
    }
    return peer;
  }

  _drop(feed) {
    const peer = this.peers.get(feed);
    this.available.delete(feed);
    for (const key of [...this.subscribedStreams]) if (key.startsWith(`${feed}:`)) this.subscribedStreams.delete(key);
    if (!peer) return;
    this.peers.delete(feed);
    if (peer.detector) peer.detector.close();
    if (this.store.state.peers.get(feed) === peer) this.store.state.peers.delete(feed);
    this.store.emit("peers");
  }

  // Who is speaking, for the tiles (muted state travels only on peer-to-peer data channels).
  levels(now) {
    let changed = false;
    const talking = this.mixer ? this.mixer.talking : null;
    for (const peer of this.peers.values()) {
      const speaking = talking ? talking.has(peer.id) : Boolean(peer.detector && peer.detector.speaking(now));
      if (speaking !== peer.speaking) {
        peer.speaking = speaking;
        changed = true;
      }
    }
    return changed;
  }
}
