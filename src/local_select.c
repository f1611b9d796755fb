/* ---- local_select.c ---- */
#include "base.h"
#include "cluster_msg.h"
#include "local_select.h"

#include <string.h>

/* A list of room names from either a decoded message (msgpack list) or C arrays. */
typedef struct sioc__sel_names {
    sioc_msg_list list;
    const sioc_str *arr;
    size_t n, i;
    int is_arr;
} sioc__sel_names;

static int sioc__sel_next(sioc__sel_names *s, sioc_str *out) {
    if (s->is_arr) {
        if (s->i >= s->n || !s->arr) return 0;
        *out = s->arr[s->i++];
        return 1;
    }
    return sioc_msg_list_next_str(&s->list, out);
}

/* The room a name selects, or NULL (unknown, or an index the table does not hold). */
static const sioc_select_room *sioc__sel_room(const sioc_select_table *t, sioc_str name) {
    int32_t r = -1;
    uint32_t i;
    if (t->find_room)
        r = t->find_room(t->user, name);
    else
        for (i = 0; i < t->n_rooms && r < 0; i++)
            if (sioc_str_eq(t->rooms[i].name, name)) r = (int32_t)i;
    return r < 0 || (uint32_t)r >= t->n_rooms ? NULL : &t->rooms[r];
}

#define SIOC__SEL_EXCLUDED 1u
#define SIOC__SEL_SEEN 2u

/* Pass 0 marks the sockets of the except rooms; pass 1 selects those of the rooms (when rooms are named), in room
   then join order, each once; without rooms every connected socket not excluded goes, in slot order. */
static sioc_result sioc__sel_run(const sioc_select_table *t, sioc__sel_names *rooms, sioc__sel_names *except,
                                 int has_rooms, uint8_t *scratch, uint32_t *out, size_t cap, size_t *out_n) {
    size_t n = 0;
    uint32_t i, k;
    int pass;
    sioc_str name;
    if (t->n_sockets) memset(scratch, 0, t->n_sockets);
    for (pass = 0; pass < 2; pass++) {
        sioc__sel_names *l = pass ? rooms : except;
        while ((pass == 0 || has_rooms) && sioc__sel_next(l, &name)) {
            const sioc_select_room *r = sioc__sel_room(t, name);
            for (k = 0; r && k < r->n_members; k++) {
                uint32_t sid = r->members[k];
                if (sid >= t->n_sockets) continue;
                if (pass == 0) {
                    scratch[sid] |= SIOC__SEL_EXCLUDED;
                } else if (!scratch[sid] && (!t->connected || t->connected[sid])) {
                    scratch[sid] |= SIOC__SEL_SEEN;
                    if (n < cap) out[n] = sid;
                    n++;
                }
            }
        }
    }
    for (i = 0; !has_rooms && i < t->n_sockets; i++) {
        if (scratch[i] || (t->connected && !t->connected[i])) continue;
        if (n < cap) out[n] = i;
        n++;
    }
    *out_n = n;
    return n > cap ? SIOC_ERR_BUFFER_TOO_SMALL : SIOC_OK;
}

SIOC_API sioc_result sioc_select_sockets(const sioc_select_table *t, const sioc_msg_opts *opts, uint8_t *scratch,
                                         uint32_t *out, size_t cap, size_t *out_n) {
    sioc__sel_names rooms, except;
    memset(&rooms, 0, sizeof rooms);
    memset(&except, 0, sizeof except);
    rooms.list = opts->rooms;
    except.list = opts->except;
    return sioc__sel_run(t, &rooms, &except, opts->rooms.count > 0, scratch, out, cap, out_n);
}

SIOC_API sioc_result sioc_select_sockets_desc(const sioc_select_table *t, const sioc_msg_opts_desc *opts,
                                              uint8_t *scratch, uint32_t *out, size_t cap, size_t *out_n) {
    sioc__sel_names rooms, except;
    memset(&rooms, 0, sizeof rooms);
    memset(&except, 0, sizeof except);
    rooms.is_arr = except.is_arr = 1;
    rooms.arr = opts->rooms;
    rooms.n = opts->rooms ? opts->n_rooms : 0;
    except.arr = opts->except;
    except.n = opts->except ? opts->n_except : 0;
    return sioc__sel_run(t, &rooms, &except, rooms.n > 0, scratch, out, cap, out_n);
}
