"use strict";
// Values in the JSON-lines protocols (SIOCAT.md §3): binary is written {"$bin":"<hex>"}, as in the vector files.

// JSON value with {"$bin"} markers -> JS value with Buffers.
function fromJson(v) {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bin" && typeof v.$bin === "string") return Buffer.from(v.$bin, "hex");
    const out = {};
    for (const k of keys) out[k] = fromJson(v[k]);
    return out;
  }
  return v;
}

// JS value (Buffer, Uint8Array, ArrayBuffer, Date, Set...) -> plain JSON value with {"$bin"} markers.
function toJson(v) {
  if (v === undefined) return null;
  if (Buffer.isBuffer(v)) return { $bin: v.toString("hex") };
  if (ArrayBuffer.isView(v)) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex") };
  if (v instanceof ArrayBuffer) return { $bin: Buffer.from(v).toString("hex") };
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Set) return [...v].map(toJson);
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v)) if (typeof v[k] !== "function") out[k] = toJson(v[k]);
    return out;
  }
  if (typeof v === "function") return null;
  return v;
}

// Deterministic text for comparisons (object keys kept in their order: key order is part of what is compared).
const canon = (v) => JSON.stringify(toJson(v));

module.exports = { fromJson, toJson, canon };
