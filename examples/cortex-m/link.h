/* link.h - the framed protocol between the firmware and the host relay over UART0 (README.md, "The link").
   frame = 0x7E, type, conn, length (2 bytes, little-endian), payload (length bytes, at most LINK_MAX),
           CRC-16/CCITT-FALSE of type..payload (2 bytes, little-endian) */
#ifndef FW_LINK_H
#define FW_LINK_H
#include <stddef.h>
#include <stdint.h>

#define LINK_SYNC 0x7E
#define LINK_MAX 1024
#define LINK_NO_CONN 0xFF

enum link_type {
    LINK_HELLO = 0x00,  /* fw -> host: booted, payload "sioc-fw <version>"; the host answers SEED, TIME, CONFIG */
    LINK_TIME = 0x01,   /* host -> fw: UTC milliseconds since 1970, 8 bytes little-endian */
    LINK_SEED = 0x02,   /* host -> fw: 32 random bytes from the host */
    LINK_CONFIG = 0x03, /* host -> fw: "key=value" lines (README.md) */
    LINK_OPEN = 0x10,   /* fw -> host: conn = a fresh id; port (2 bytes LE), then the host name */
    LINK_OPENED = 0x11, /* host -> fw: the TCP connection of conn is up */
    LINK_DATA = 0x12,   /* both ways: stream bytes of conn */
    LINK_CLOSE = 0x13,  /* both ways: conn is gone; host -> fw carries 1 byte: 0 EOF, 1 reset, 2 connect failed */
    LINK_CMD = 0x20,    /* host -> fw: one command line for the application (README.md) */
    LINK_LOG = 0x21,    /* fw -> host: one text line */
    LINK_BYE = 0x22     /* fw -> host: the firmware is done, 1 byte exit status; the host stops the emulator */
};

enum link_close_reason { LINK_CLOSE_EOF = 0, LINK_CLOSE_RESET = 1, LINK_CLOSE_CONNECT = 2 };

typedef struct link_frame {
    uint8_t type, conn;
    uint16_t len;
    uint8_t data[LINK_MAX + 1]; /* one spare byte: text payloads get a NUL */
} link_frame;

typedef struct link_stats {
    uint32_t frames_in, frames_out, bad_frames;
    uint64_t bytes_in, bytes_out;
} link_stats;

void link_send(uint8_t type, uint8_t conn, const void *payload, size_t len); /* len <= LINK_MAX */
void link_send_text(uint8_t type, const char *text);
/* Next complete frame from the UART into *f: 1, or 0 when none is complete yet. A frame with a bad checksum or
   length is dropped (counted) and the decoder hunts for the next sync byte. */
int link_recv(link_frame *f);
const link_stats *link_get_stats(void);

#endif
