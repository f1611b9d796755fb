/* ---- local_select: which local sockets an operation reaches (docs/PROTOCOL.md §4.2) ----
   A pure function over a small table the caller keeps for one namespace: its sockets in connection order and
   its rooms with their members in join order (every socket is also in the room named by its own id). It matches
   socket.io-adapter's in-memory Adapter exactly: sockets in any `except` room are excluded; with rooms, each
   listed room is visited in order (unknown rooms skipped) and its members in join order, each socket selected at
   most once; without rooms, every socket in connection order. Only sockets marked connected (namespace handshake
   completed) are selected. Nothing is allocated: the caller passes n_sockets bytes of scratch. */
#pragma once
#include "base.h"
#include "cluster_msg.h"

typedef struct sioc_select_room {
    sioc_str name;
    const uint32_t *members; /* socket indexes, join order */
    uint32_t n_members;
} sioc_select_room;

typedef struct sioc_select_table {
    uint32_t n_sockets;           /* sockets 0..n_sockets-1, in connection order */
    const uint8_t *connected;     /* per socket, non-zero when selectable; NULL: all are */
    const sioc_select_room *rooms;
    uint32_t n_rooms;
    /* Optional room lookup (e.g. a hash table): index into rooms, or -1 when unknown. NULL: linear search. */
    int32_t (*find_room)(void *user, sioc_str name);
    void *user;
} sioc_select_table;

/* Select for decoded opts (rooms/except of a received message). Socket indexes go to out[0..cap) in delivery
   order and their number to *out_n; SIOC_ERR_BUFFER_TOO_SMALL when cap is too small (*out_n is then the number
   needed). scratch: n_sockets bytes, overwritten. */
SIOC_API SIOC_NODISCARD sioc_result sioc_select_sockets(const sioc_select_table *t, const sioc_msg_opts *opts,
                                                        uint8_t *scratch, uint32_t *out, size_t cap, size_t *out_n);
/* The same for options given as C arrays (the node's own operations). */
SIOC_API SIOC_NODISCARD sioc_result sioc_select_sockets_desc(const sioc_select_table *t,
                                                             const sioc_msg_opts_desc *opts, uint8_t *scratch,
                                                             uint32_t *out, size_t cap, size_t *out_n);
