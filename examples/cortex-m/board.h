/* board.h - the few pieces of the MPS2 AN385 board (Cortex-M3, 25 MHz) the firmware uses: CMSDK UART0 (the link
   to the host), SysTick (the millisecond clock) and the stack bounds for the high-water mark. */
#ifndef FW_BOARD_H
#define FW_BOARD_H
#include <stddef.h>
#include <stdint.h>

#define BOARD_CPU_HZ 25000000u /* AN385 SYSCLK (QEMU models the same) */

void board_init(void);                  /* SysTick at 1 kHz, UART0 with its receive interrupt */
uint64_t board_ms(void);                /* milliseconds since reset */
uint32_t board_jitter(void);            /* SysTick's current count: sub-millisecond timing noise */
void board_sleep(void);                 /* wait for an interrupt (the next SysTick at the latest) */

/* UART0: bytes in through the receive interrupt into a ring; out by polling the transmitter. */
size_t board_uart_read(uint8_t *buf, size_t cap); /* what arrived so far (never blocks) */
int board_uart_pending(void);                     /* 1 when received bytes wait in the ring */
void board_uart_write(const void *data, size_t len);
uint32_t board_uart_ring_hwm(void);               /* most bytes the ring ever held */

size_t board_stack_size(void);
size_t board_stack_used(void); /* high-water mark: bytes of the painted stack that were ever written */

#endif
