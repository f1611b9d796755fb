"use strict";
// socket.io-parser frames as they appear in the JSON-lines protocols (SIOCAT.md §4): {text, bin: [hex...]}.
// The real socket.io-parser does all encoding and decoding here, so "what a Node server would send" is defined by it.

const { Encoder, Decoder, PacketType } = require("socket.io-parser");

// Packet object -> {text, bin}. Binary values may be Buffers or Uint8Arrays.
function encodeFrames(packet) {
  const out = new Encoder().encode(packet);
  const text = out[0];
  if (typeof text !== "string") throw new Error("encoder produced a non-text first frame");
  return { text, bin: out.slice(1).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex")) };
}

// Engine-level frames as written by a server (string + Buffers) -> {text, bin}.
function framesFromEngine(encoded) {
  const list = Array.isArray(encoded) ? encoded : [encoded];
  const text = typeof list[0] === "string" ? list[0] : null;
  const bin = list.slice(1).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex"));
  return { text, bin };
}

// {text, bin} -> packet, or throws. Exactly one packet must come out, and no frame may be left over.
function decodeFrames(frames) {
  if (!frames || typeof frames.text !== "string") throw new Error("no text frame");
  const bins = frames.bin || [];
  const decoder = new Decoder();
  const got = [];
  decoder.on("decoded", (p) => got.push(p));
  decoder.add(frames.text);
  for (const h of bins) {
    if (got.length) throw new Error("binary frame after a complete packet");
    decoder.add(Buffer.from(h, "hex"));
  }
  decoder.destroy();
  if (got.length !== 1) throw new Error(`frames gave ${got.length} packets (attachments announced vs sent?)`);
  return got[0];
}

// The namespace a text frame is addressed to (`/` when none is written), without a full decode.
function frameNamespace(text) {
  let i = 1;
  if (text[0] === "5" || text[0] === "6") {
    const dash = text.indexOf("-");
    if (dash < 0) return "/";
    i = dash + 1;
  }
  if (text[i] !== "/") return "/";
  const comma = text.indexOf(",", i);
  return comma < 0 ? text.slice(i) : text.slice(i, comma);
}

module.exports = { encodeFrames, framesFromEngine, decodeFrames, frameNamespace, PacketType };
