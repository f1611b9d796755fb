/* JSON and msgpack rows of make bench. The document is cluster-shaped: an array of 64 broadcast-like records
   (event name, a small object with strings, integers, a double, a room list, and for msgpack a 64-byte binary). */
#define BENCH_RECORDS 64
static uint8_t mp_mem[65536];
static char js_mem[65536];
static size_t mp_len, js_len;
static sioc_json_tok js_toks[8192];

static void do_mp_encode(void *arg) {
    sioc_buf b;
    sioc_msgpack_writer w;
    int i;
    (void)arg;
    sioc_buf_init(&b, mp_mem, sizeof mp_mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msgpack_write_array(&w, BENCH_RECORDS);
    for (i = 0; i < BENCH_RECORDS; i++) {
        sioc_msgpack_write_map(&w, 3);
        sioc_msgpack_write_cstr(&w, "packet");
        sioc_msgpack_write_array(&w, 3);
        sioc_msgpack_write_cstr(&w, "chat message");
        sioc_msgpack_write_map(&w, 4);
        sioc_msgpack_write_cstr(&w, "user");
        sioc_msgpack_write_cstr(&w, "alice@example.com");
        sioc_msgpack_write_cstr(&w, "seq");
        sioc_msgpack_write_uint(&w, 1795415802291u + (uint64_t)i);
        sioc_msgpack_write_cstr(&w, "score");
        sioc_msgpack_write_double(&w, 0.25 + i);
        sioc_msgpack_write_cstr(&w, "text");
        sioc_msgpack_write_cstr(&w, "hello from the C node, this is a typical short chat line");
        sioc_msgpack_write_bin(&w, big, 64);
        sioc_msgpack_write_cstr(&w, "rooms");
        sioc_msgpack_write_array(&w, 2);
        sioc_msgpack_write_cstr(&w, "room-1");
        sioc_msgpack_write_cstr(&w, "room-2");
        sioc_msgpack_write_cstr(&w, "flags");
        sioc_msgpack_write_map(&w, 0);
    }
    if (sioc_msgpack_writer_finish(&w) != SIOC_OK) abort();
    mp_len = b.len;
}

static void do_mp_check(void *arg) {
    (void)arg;
    if (sioc_msgpack_check(mp_mem, mp_len) != SIOC_OK) abort();
}

static void do_mp_walk(void *arg) { /* read every item, as a consumer does */
    sioc_msgpack_reader r;
    sioc_msgpack_item it;
    (void)arg;
    sioc_msgpack_reader_init(&r, mp_mem, mp_len);
    while (r.pos < mp_len) {
        if (sioc_msgpack_read(&r, &it) != SIOC_OK) abort();
    }
    sink ^= (uint8_t)it.type;
}

static void do_js_encode(void *arg) {
    sioc_buf b;
    sioc_json_writer w;
    int i;
    (void)arg;
    sioc_buf_init(&b, js_mem, sizeof js_mem);
    sioc_json_writer_init(&w, &b);
    sioc_json_write_array_begin(&w);
    for (i = 0; i < BENCH_RECORDS; i++) {
        sioc_json_write_object_begin(&w);
        sioc_json_write_key(&w, "packet", 6);
        sioc_json_write_array_begin(&w);
        sioc_json_write_str(&w, "chat message", 12);
        sioc_json_write_object_begin(&w);
        sioc_json_write_key(&w, "user", 4);
        sioc_json_write_str(&w, "alice@example.com", 17);
        sioc_json_write_key(&w, "seq", 3);
        sioc_json_write_u64(&w, 1795415802291u + (uint64_t)i);
        sioc_json_write_key(&w, "score", 5);
        sioc_json_write_f64(&w, 0.25 + i);
        sioc_json_write_key(&w, "text", 4);
        sioc_json_write_str(&w, "hello from the C node, this is a typical \"short\" chat line\n", 59);
        sioc_json_write_object_end(&w);
        sioc_json_write_array_end(&w);
        sioc_json_write_key(&w, "rooms", 5);
        sioc_json_write_array_begin(&w);
        sioc_json_write_str(&w, "room-1", 6);
        sioc_json_write_str(&w, "room-2", 6);
        sioc_json_write_array_end(&w);
        sioc_json_write_key(&w, "flags", 5);
        sioc_json_write_object_begin(&w);
        sioc_json_write_object_end(&w);
        sioc_json_write_object_end(&w);
    }
    sioc_json_write_array_end(&w);
    if (sioc_buf_result(&b) != SIOC_OK) abort();
    js_len = b.len;
}

static void do_js_parse(void *arg) {
    sioc_json doc;
    (void)arg;
    if (sioc_json_parse(&doc, js_mem, js_len, js_toks, SIOC__COUNT(js_toks)) != SIOC_OK) abort();
    sink ^= (uint8_t)doc.count;
}

static void do_js_parse_get(void *arg) { /* parse, then read every record's fields through the getters */
    sioc_json doc;
    int rec;
    char text[128];
    size_t n;
    (void)arg;
    if (sioc_json_parse(&doc, js_mem, js_len, js_toks, SIOC__COUNT(js_toks)) != SIOC_OK) abort();
    for (rec = sioc_json_first(&doc, 0); rec >= 0; rec = sioc_json_next(&doc, rec)) {
        int64_t seq;
        double score;
        int obj = sioc_json_path(&doc, rec, "packet[1]");
        if (sioc_json_get_i64(&doc, sioc_json_find(&doc, obj, "seq"), &seq) != SIOC_OK) abort();
        if (sioc_json_get_f64(&doc, sioc_json_find(&doc, obj, "score"), &score) != SIOC_OK) abort();
        if (sioc_json_get_str(&doc, sioc_json_find(&doc, obj, "text"), text, sizeof text, &n) != SIOC_OK) abort();
        sink ^= (uint8_t)(seq + (int64_t)score + (int64_t)n);
    }
}

static void bench_codecs(double secs) {
    do_mp_encode(NULL);
    do_js_encode(NULL);
    printf("| msgpack encode (%zu-byte doc) | %.0f MB/s | writer, smallest forms |\n", mp_len,
           rate(do_mp_encode, NULL, mp_len, secs) / 1e6);
    printf("| msgpack decode: validate | %.0f MB/s | sioc_msgpack_check (UTF-8, depth, counts) |\n",
           rate(do_mp_check, NULL, mp_len, secs) / 1e6);
    printf("| msgpack decode: item walk | %.0f MB/s | sioc_msgpack_read over every item |\n",
           rate(do_mp_walk, NULL, mp_len, secs) / 1e6);
    printf("| JSON encode (%zu-byte doc) | %.0f MB/s | writer, JS escaping and numbers |\n", js_len,
           rate(do_js_encode, NULL, js_len, secs) / 1e6);
    printf("| JSON decode: tokenize | %.0f MB/s | sioc_json_parse (UTF-8 validated) |\n",
           rate(do_js_parse, NULL, js_len, secs) / 1e6);
    printf("| JSON decode: tokenize + getters | %.0f MB/s | int, double, unescaped string per record |\n",
           rate(do_js_parse_get, NULL, js_len, secs) / 1e6);
}
