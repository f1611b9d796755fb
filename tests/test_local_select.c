/* Local socket selection (docs/PROTOCOL.md §4.2): rooms in order, members in join order, each socket once, except
   rooms, unknown rooms skipped, only connected sockets; both option forms; a caller room lookup; small outputs. */
#define SIO_CLUSTER_IMPLEMENTATION
#include "sio_cluster.h"
#include "harness.h"

/* sockets A B C D (D still in middleware); rooms: each own id, r1 = [C, A, D], r2 = [B, C] */
static const uint32_t m_a[] = {0}, m_b[] = {1}, m_c[] = {2}, m_d[] = {3}, m_r1[] = {2, 0, 3}, m_r2[] = {1, 2};
static const uint8_t connected[] = {1, 1, 1, 0};
static sioc_select_room rooms[6];
static sioc_select_table table;
static int lookups;

static void setup(void) {
    static const char *const names[6] = {"A", "B", "C", "D", "r1", "r2"};
    static const uint32_t *const members[6] = {m_a, m_b, m_c, m_d, m_r1, m_r2};
    static const uint32_t counts[6] = {1, 1, 1, 1, 3, 2};
    int i;
    for (i = 0; i < 6; i++) {
        rooms[i].name = sioc_str_c(names[i]);
        rooms[i].members = members[i];
        rooms[i].n_members = counts[i];
    }
    memset(&table, 0, sizeof table);
    table.n_sockets = 4;
    table.connected = connected;
    table.rooms = rooms;
    table.n_rooms = 6;
}

/* Run with rooms/except given as comma-separated names ("" = none); returns the selection as letters. */
static const char *sel(const char *r, const char *x) {
    static char out_text[16];
    sioc_str rs[8], xs[8];
    sioc_msg_opts_desc o;
    uint8_t scratch[4];
    uint32_t out[8];
    size_t n = 0, i;
    const char *lists[2];
    sioc_str *arrs[2];
    size_t counts[2] = {0, 0};
    int l;
    lists[0] = r;
    lists[1] = x;
    arrs[0] = rs;
    arrs[1] = xs;
    for (l = 0; l < 2; l++) {
        const char *p = lists[l];
        while (*p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            arrs[l][counts[l]].ptr = p;
            arrs[l][counts[l]].len = len;
            counts[l]++;
            p += len + (e ? 1 : 0);
        }
    }
    memset(&o, 0, sizeof o);
    o.rooms = counts[0] ? rs : NULL;
    o.n_rooms = counts[0];
    o.except = counts[1] ? xs : NULL;
    o.n_except = counts[1];
    if (sioc_select_sockets_desc(&table, &o, scratch, out, 8, &n) != SIOC_OK) return "error";
    for (i = 0; i < n; i++) out_text[i] = (char)('A' + out[i]);
    out_text[n] = 0;
    return out_text;
}

static void test_desc(void) {
    setup();
    CHECK(!strcmp(sel("", ""), "ABC"));
    CHECK(!strcmp(sel("r1", ""), "CA"));
    CHECK(!strcmp(sel("r2,r1", ""), "BCA"));
    CHECK(!strcmp(sel("r1,r2", "A"), "CB"));
    CHECK(!strcmp(sel("nope,r2", ""), "BC"));
    CHECK(!strcmp(sel("", "r2"), "A"));
    CHECK(!strcmp(sel("", "nope"), "ABC"));
    CHECK(!strcmp(sel("D", ""), ""));
    CHECK(!strcmp(sel("B,B,r2", ""), "BC"));
    CHECK(!strcmp(sel("r1", "r1"), ""));
    CHECK(!strcmp(sel("nope", ""), "")); /* rooms given but all unknown: nobody, not everybody */
    table.connected = NULL;
    CHECK(!strcmp(sel("", ""), "ABCD"));
    CHECK(!strcmp(sel("r1", ""), "CAD"));
}

static int32_t find(void *user, sioc_str name) {
    uint32_t i;
    (void)user;
    lookups++;
    for (i = 0; i < 6; i++)
        if (sioc_str_eq(rooms[i].name, name)) return (int32_t)i;
    return -1;
}

static void test_decoded(void) {
    /* SOCKETS_JOIN {opts: {rooms: [r2, r1], except: [B], flags: {}}, rooms: [x]} from the wire */
    sioc_str r[2], x[1], join[1];
    sioc_msg_opts_desc o;
    uint8_t mem[256], scratch[4];
    uint32_t out[8];
    size_t n = 0;
    sioc_buf b;
    sioc_msgpack_writer w;
    sioc_msg_envelope env;
    sioc_msg m;
    setup();
    r[0] = sioc_str_c("r2");
    r[1] = sioc_str_c("r1");
    x[0] = sioc_str_c("B");
    join[0] = sioc_str_c("x");
    memset(&o, 0, sizeof o);
    o.rooms = r;
    o.n_rooms = 2;
    o.except = x;
    o.n_except = 1;
    sioc_buf_init(&b, mem, sizeof mem);
    sioc_msgpack_writer_init(&w, &b);
    sioc_msg_write_sockets_rooms(&w, &o, join, 1);
    CHECK(sioc_msgpack_writer_finish(&w) == SIOC_OK);
    memset(&env, 0, sizeof env);
    env.body = sioc_str_c("4");
    env.nsp = sioc_str_c("/");
    env.uid = sioc_str_c("u");
    env.data.ptr = mem;
    env.data.len = b.len;
    CHECK(sioc_msg_decode_aws(&env, &m) == SIOC_OK);
    CHECK(sioc_select_sockets(&table, &m.opts, scratch, out, 8, &n) == SIOC_OK);
    CHECK(n == 2 && out[0] == 2 && out[1] == 0);
    /* with a lookup callback */
    table.find_room = find;
    CHECK(sioc_select_sockets(&table, &m.opts, scratch, out, 8, &n) == SIOC_OK);
    CHECK(n == 2 && out[0] == 2 && out[1] == 0 && lookups == 3);
    /* output too small: the number needed */
    table.find_room = NULL;
    CHECK(sioc_select_sockets(&table, &m.opts, scratch, out, 1, &n) == SIOC_ERR_BUFFER_TOO_SMALL);
    CHECK(n == 2 && out[0] == 2);
    /* empty table */
    table.n_sockets = 0;
    table.n_rooms = 0;
    CHECK(sioc_select_sockets(&table, &m.opts, NULL, out, 8, &n) == SIOC_OK && n == 0);
}

int main(void) {
    RUN(test_desc);
    RUN(test_decoded);
    return sioc_t_report("test_local_select");
}
