/* link.c - frame encoder and decoder for the UART link (link.h). */
#include "link.h"
#include "board.h"
#include <string.h>

static link_stats stats;

static uint16_t crc16(uint16_t crc, const uint8_t *p, size_t n) { /* CRC-16/CCITT-FALSE: poly 0x1021 */
    while (n--) {
        int i;
        crc ^= (uint16_t)(*p++ << 8);
        for (i = 0; i < 8; i++) crc = (uint16_t)(crc & 0x8000u ? (unsigned)(crc << 1) ^ 0x1021u : (unsigned)(crc << 1));
    }
    return crc;
}

void link_send(uint8_t type, uint8_t conn, const void *payload, size_t len) {
    uint8_t head[5], tail[2];
    uint16_t crc;
    if (len > LINK_MAX) len = LINK_MAX;
    head[0] = LINK_SYNC;
    head[1] = type;
    head[2] = conn;
    head[3] = (uint8_t)(len & 0xFF);
    head[4] = (uint8_t)(len >> 8);
    crc = crc16(crc16(0xFFFF, head + 1, 4), (const uint8_t *)payload, len);
    tail[0] = (uint8_t)(crc & 0xFF);
    tail[1] = (uint8_t)(crc >> 8);
    board_uart_write(head, sizeof head);
    board_uart_write(payload, len);
    board_uart_write(tail, sizeof tail);
    stats.frames_out++;
    stats.bytes_out += len + 7;
}

void link_send_text(uint8_t type, const char *text) { link_send(type, LINK_NO_CONN, text, strlen(text)); }

/* Decoder state: bytes of the frame being assembled (after the sync byte). */
static uint8_t hdr[4];
static size_t got; /* bytes after the sync byte: header, payload, checksum */
static int hunting = 1;
static uint8_t in[256];
static size_t in_pos, in_len;

int link_recv(link_frame *f) {
    for (;;) {
        uint8_t b;
        size_t len;
        if (in_pos == in_len) {
            in_len = board_uart_read(in, sizeof in);
            in_pos = 0;
            if (!in_len) return 0;
            stats.bytes_in += in_len;
        }
        b = in[in_pos++];
        if (hunting) {
            if (b == LINK_SYNC) hunting = 0, got = 0;
            continue;
        }
        if (got < 4) {
            hdr[got++] = b;
            if (got == 4 && (size_t)(hdr[2] | hdr[3] << 8) > LINK_MAX) stats.bad_frames++, hunting = 1;
            continue;
        }
        len = (size_t)(hdr[2] | hdr[3] << 8);
        if (got < 4 + len) {
            f->data[got++ - 4] = b;
            continue;
        }
        if (got == 4 + len) { /* first checksum byte */
            f->data[len] = b; /* parked in the spare byte until the second one arrives */
            got++;
            continue;
        }
        {
            uint16_t want = (uint16_t)(f->data[len] | b << 8);
            hunting = 1;
            if (crc16(crc16(0xFFFF, hdr, 4), f->data, len) != want) {
                stats.bad_frames++;
                continue;
            }
            f->type = hdr[0];
            f->conn = hdr[1];
            f->len = (uint16_t)len;
            f->data[len] = 0;
            stats.frames_in++;
            return 1;
        }
    }
}

const link_stats *link_get_stats(void) { return &stats; }
