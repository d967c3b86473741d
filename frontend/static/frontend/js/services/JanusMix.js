// The sound of a big call, mixed by the media server (Janus AudioBridge; docs/janus.md): when the
// `call` message has a `mix`, our microphone goes to the call's mix room instead of the video room,
// and we hear one stereo mix of everyone else in which each voice comes from where that person
// stands, left to right across the call (`spatial_position`, 0 to 100, which we keep up to date as
// we walk). Runs on the JanusCall's session and entry token.

const PLUGIN = "janus.plugin.audiobridge";
const POSITION_STEP = 5; // move our voice in the mix when it has moved this much (of 100)

export class JanusMix {
  constructor(call, mix) {
    this.call = call;
    this.mix = mix; // {room, left, right}: the room, and the tiles the call spans left to right
    this.handle = null;
    this.pc = null;
    this.audio = null;
    this.position = null;
    this.talking = new Set(); // feeds Janus says are talking
    this.closed = false;
  }

  async start() {
    const call = this.call;
    this.handle = await call._attach(PLUGIN);
    this.position = this._position();
    await call._plugin(this.handle, {
      request: "join", room: this.mix.room, id: call.ticket.feed, display: String(call.ticket.feed),
      token: call.ticket.member_token, spatial_position: this.position,
    });  // prettier-ignore
    const pc = (this.pc = new RTCPeerConnection({ iceServers: call.iceServers }));
    call._trickle(pc, this.handle);
    const track = call.media.track("audio");
    if (track) pc.addTransceiver(track, { direction: "sendrecv" });
    else pc.addTransceiver("audio", { direction: "recvonly" });
    pc.ontrack = ({ track: mixed }) => this._play(mixed);
    // The mix is stereo only if we say we can take it (Opus `stereo=1`).
    const offer = await pc.createOffer();
    offer.sdp = offer.sdp.replace(/(a=fmtp:\d+ [^\r\n]*useinbandfec=1)(?![^\r\n]*stereo=1)/, "$1;stereo=1");
    await pc.setLocalDescription(offer);
    const { jsep } = await call._plugin(this.handle, { request: "configure", muted: false }, offer);
    if (this.closed) return;
    await pc.setRemoteDescription(jsep);
  }

  // Where we stand across the call, 0 (its left edge) to 100 (its right).
  _position() {
    const me = this.call.store.state.me;
    const { left, right } = this.mix;
    if (!me || right <= left) return 50;
    return Math.round(Math.min(100, Math.max(0, (100 * (me.x - left)) / (right - left))));
  }

  // Called as we walk (JanusCall's reconcile beat): our voice follows us in everyone's mix.
  follow() {
    if (this.closed || !this.handle || this.position === null) return;
    const position = this._position();
    if (Math.abs(position - this.position) < POSITION_STEP) return;
    this.position = position;
    this.call._plugin(this.handle, { request: "configure", spatial_position: position }).catch(() => {});
  }

  // For the page's test hook: how our link to the mix is, and where our voice sits in it.
  status() {
    return { state: this.pc ? this.pc.connectionState : "new", position: this.position, talking: [...this.talking] };
  }

  _play(track) {
    if (!this.audio) {
      this.audio = document.createElement("audio");
      this.audio.id = "meeting-mix";
      this.audio.autoplay = true;
      this.audio.hidden = true;
      document.body.append(this.audio);
    }
    this.audio.srcObject = new MediaStream([track]);
    this.audio.play().catch(() => {}); // before any click the browser may hold it back; autoplay retries
  }

  // Janus's events on our handle: who is talking (the tiles' speaking ring).
  event(data) {
    if (data.audiobridge === "talking") this.talking.add(data.id);
    else if (data.audiobridge === "stopped-talking") this.talking.delete(data.id);
  }

  replaceTrack(track) {
    if (!this.pc || this.closed) return;
    for (const transceiver of this.pc.getTransceivers()) {
      if (transceiver.direction === "sendrecv") transceiver.sender.replaceTrack(track).catch(() => {});
    }
  }

  // Leave the mix (the call goes on, its sound back in the video room), or close with the call.
  leave() {
    if (this.closed) return;
    const call = this.call;
    if (this.handle && !call.closed && call.ws.readyState === WebSocket.OPEN) {
      call._send({ janus: "detach", session_id: call.session, handle_id: this.handle });
    }
    this.stop();
  }

  stop() {
    this.closed = true;
    if (this.pc) this.pc.close();
    if (this.audio) {
      this.audio.srcObject = null;
      this.audio.remove();
    }
    this.talking.clear();
  }
}
