/* ---- xml (public part) ---- */
