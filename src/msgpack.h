/* ---- msgpack (public part) ---- */
