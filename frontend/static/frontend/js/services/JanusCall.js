// A meeting carried by the media server (docs/janus.md, docs/protocol.md "call"): the signal
// socket says `call` `sfu` with a ticket; we join the Janus VideoRoom it names, publish our camera
// and microphone once, and receive everyone else's over one subscriber connection. The people in
// the call appear in `store.state.peers` like peer-to-peer ones (`sfu: true`), keyed by player id
// (a publisher's feed id is its player id).
//
// Janus's WebSocket API, spoken directly: every request carries the ticket's `token`; requests
// are matched to answers by `transaction`; a keep-alive every 25 s keeps the session.

import { SpeakingDetector } from "../lib/audio.js";

const KEEPALIVE_MS = 25000;
const REQUEST_MS = 10000;
const KINDS = ["audio", "video"];

class JanusError extends Error {
  constructor(code, reason) {
    super(`Janus ${code}: ${reason}`);
    this.code = code;
  }
}

export class JanusCall {
  constructor(store, media, { ticket, call, iceServers, onEnded }) {
    this.store = store;
    this.media = media;
    this.ticket = ticket;
    this.call = call;
    this.iceServers = iceServers;
    this.onEnded = onEnded;
    this.pending = new Map(); // transaction -> {resolve, reject, timer}
    this.next = 1;
    this.closed = false;
    this.peers = new Map(); // feed (player id) -> peer
    this.mids = new Map(); // subscriber mid -> {feed, screen}
    this.subscribed = new Set(); // feeds asked for
    this.subscribedStreams = new Set(); // "feed:mid" of the publishers' streams we receive
    this.screenStreams = new Set(); // "feed:mid" of the publishers' streams that are screens
    this.subscriberQueue = Promise.resolve();
    this.publisherQueue = Promise.resolve();
    this.published = false;
    this.screenTransceiver = null;
  }

  // Join the room and publish; resolves once our offer is answered.
  async start() {
    this.ws = new WebSocket(this.ticket.url, "janus-protocol");
    this.ws.onmessage = (event) => this._message(JSON.parse(event.data));
    this.ws.onclose = () => this._ended("The meeting server closed the connection.");
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
    await this._publish();
    this._publishersListed(joined.data.publishers || []);
    this.media.onTracksChanged(() => this._replaceTracks());
    this.media.onScreenChanged(() => this._queuePublisher(() => this._shareScreen()));
    if (this.media.screen) this._queuePublisher(() => this._shareScreen());
  }

  // Leave the room (the server also takes our token away); peers we showed go.
  stop() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.session) {
      this._send({ janus: "destroy", session_id: this.session });
    }
    if (this.ws) this.ws.close();
    if (this.publisher) this.publisher.close();
    if (this.subscriber) this.subscriber.close();
    for (const feed of [...this.peers.keys()]) this._drop(feed);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new JanusError(0, "left the call"));
    }
    this.pending.clear();
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

  async _attach() {
    const answer = await this._request({ janus: "attach", plugin: "janus.plugin.videoroom", session_id: this.session });
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
      if (message.janus === "hangup" && message.sender === this.publisherHandle) this._ended("The meeting server hung up.");
      return;
    }
    const data = (message.plugindata && message.plugindata.data) || {};
    if (message.sender === this.publisherHandle) {
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
      if (track) pc.addTransceiver(track, { direction: "sendonly", streams: [this.media.stream] });
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

  _queuePublisher(work) {
    this.publisherQueue = this.publisherQueue.then(work).catch((error) => {
      console.warn("meeting: publishing failed:", error);
      this.store.notice("Your screen could not be shared in the meeting.", { kind: "warning" });
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
      if (transceiver === this.screenTransceiver || transceiver.stopped) continue;
      const kind = transceiver.sender.track ? transceiver.sender.track.kind : transceiver.receiver.track.kind;
      transceiver.sender.replaceTrack(this.media.track(kind)).catch(() => {});
    }
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

  // New publishers, and new streams of known ones (a screen they started sharing), are
  // subscribed to; a screen they stopped sharing goes.
  _publishersListed(publishers) {
    const fresh = publishers.map((publisher) => publisher.id).filter((feed) => !this.subscribed.has(feed));
    const added = [];
    for (const publisher of publishers) {
      for (const stream of publisher.streams || []) {
        if (stream.description === "screen") this.screenStreams.add(`${publisher.id}:${stream.mid}`);
      }
      if (!this.subscribed.has(publisher.id) || fresh.includes(publisher.id)) continue;
      for (const stream of publisher.streams || []) {
        const key = `${publisher.id}:${stream.mid}`;
        if (stream.disabled) {
          // A stream they stopped (a disabled one no longer says what it was).
          if (this.screenStreams.delete(key)) this._screen(publisher.id, null);
          this.subscribedStreams.delete(key);
        } else if (!this.subscribedStreams.has(key)) {
          added.push({ feed: publisher.id, mid: stream.mid });
        }
      }
    }
    for (const feed of fresh) this.subscribed.add(feed);
    const streams = [...fresh.map((feed) => ({ feed })), ...added];
    if (!streams.length) return;
    for (const { feed, mid } of added) this.subscribedStreams.add(`${feed}:${mid}`);
    this.subscriberQueue = this.subscriberQueue.then(() => this._subscribe(streams)).catch((error) => {
      console.warn("meeting: could not receive", streams, error);
      for (const feed of fresh) this.subscribed.delete(feed);
      for (const { feed, mid } of added) this.subscribedStreams.delete(`${feed}:${mid}`);
    });
  }

  async _subscribe(streams) {
    if (this.closed) return;
    if (!this.subscriberHandle) {
      this.subscriberHandle = await this._attach();
      const { data, jsep } = await this._plugin(this.subscriberHandle, {
        request: "join", ptype: "subscriber", room: this.ticket.room, private_id: this.privateId,
        streams, token: this.ticket.member_token,
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
    const { data, jsep } = await this._plugin(this.subscriberHandle, { request: "subscribe", streams });
    this._streamsListed(data.streams || []);
    await this._answer(jsep);
  }

  async _answer(offer) {
    if (this.closed || !offer) return;
    await this.subscriber.setRemoteDescription(offer);
    await this.subscriber.setLocalDescription();
    await this._plugin(this.subscriberHandle, { request: "start" }, { type: "answer", sdp: this.subscriber.localDescription.sdp });
  }

  _streamsListed(streams) {
    for (const stream of streams) {
      if (stream.mid === undefined) continue;
      const known = this.mids.get(String(stream.mid));
      if (stream.active === false) {
        // A stream that ended (a screen no longer shared): its entry may no longer say whose.
        if (known && known.screen) this._screen(known.feed, null);
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

  _track({ track, transceiver }) {
    const found = this.mids.get(String(transceiver.mid));
    if (found === undefined) return;
    const { feed, screen } = found;
    const peer = this._peer(feed);
    if (screen) {
      const stream = new MediaStream([track]);
      this._screen(feed, stream);
      const gone = () => {
        if (peer.screen === stream) this._screen(feed, null);
      };
      track.addEventListener("ended", gone);
      // Janus stops forwarding a screen that is no longer shared: the track falls silent.
      track.addEventListener("mute", gone);
      track.addEventListener("unmute", () => {
        if (this.peers.get(feed) === peer && !peer.screen) this._screen(feed, stream);
      });
      return;
    }
    for (const old of peer.stream.getTracks()) if (old.kind === track.kind) peer.stream.removeTrack(old);
    peer.stream.addTrack(track);
    if (track.kind === "audio") {
      if (peer.detector) peer.detector.close();
      peer.detector = new SpeakingDetector(track);
    }
    track.addEventListener("ended", () => {
      peer.stream.removeTrack(track);
      if (!peer.stream.getTracks().length) this._drop(feed);
    });
    const changed = () => this.store.emit("peers");
    track.addEventListener("mute", changed);
    track.addEventListener("unmute", changed);
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
    this.subscribed.delete(feed);
    if (!peer) return;
    this.peers.delete(feed);
    if (peer.detector) peer.detector.close();
    if (this.store.state.peers.get(feed) === peer) this.store.state.peers.delete(feed);
    this.store.emit("peers");
  }

  // Who is speaking, for the tiles (muted state travels only on peer-to-peer data channels).
  levels(now) {
    let changed = false;
    for (const peer of this.peers.values()) {
      const speaking = Boolean(peer.detector && peer.detector.speaking(now));
      if (speaking !== peer.speaking) {
        peer.speaking = speaking;
        changed = true;
      }
    }
    return changed;
  }
}
