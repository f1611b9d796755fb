/* board.c - MPS2 AN385 peripherals: CMSDK APB UART0 at 0x40004000, SysTick, NVIC; vector table and reset. */
#include "board.h"
#include <string.h>

#define REG(a) (*(volatile uint32_t *)(a))

/* CMSDK APB UART (ARM DDI 0479): DATA, STATE (bit 0 TX full, bit 1 RX full), CTRL (bit 0 TX enable, bit 1 RX
   enable, bit 3 RX interrupt enable), INTSTATUS / INTCLEAR (bit 1 RX), BAUDDIV (>= 16). */
#define UART0 0x40004000u
#define UART_DATA REG(UART0 + 0x00)
#define UART_STATE REG(UART0 + 0x04)
#define UART_CTRL REG(UART0 + 0x08)
#define UART_INT REG(UART0 + 0x0C)
#define UART_BAUDDIV REG(UART0 + 0x10)
#define UART_TXFULL 1u
#define UART_RXFULL 2u
#define UART_CTRL_TX 1u
#define UART_CTRL_RX 2u
#define UART_CTRL_RXINT 8u
#define UART_INT_RX 2u
#define UART0_RX_IRQ 0 /* AN385 interrupt map: UART0 RX is IRQ 0 */

#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define SCB_VTOR REG(0xE000ED08u)

#define STACK_PAINT 0x5AC0FFEEu

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_bottom, __stack_top;
int fw_main(void);
void fw_fault(const uint32_t *frame);
void Reset_Handler(void);
void SysTick_Handler(void);
void UART0RX_Handler(void);
void HardFault_Handler(void);

static volatile uint64_t ms_now;

/* Receive ring: the interrupt writes at `head`, the main loop reads at `tail` (free-running counters). When it
   is full the interrupt turns itself off and leaves the byte in the UART, which holds the sender back (QEMU stops
   feeding a full UART); the reader turns it on again. */
#define RING_SIZE 8192u
static uint8_t ring[RING_SIZE];
static volatile uint32_t ring_head, ring_tail, ring_hwm;

void SysTick_Handler(void) { ms_now++; }

void UART0RX_Handler(void) {
    UART_INT = UART_INT_RX; /* clear first: a byte arriving after the last read raises it again */
    while (UART_STATE & UART_RXFULL) {
        uint32_t used = ring_head - ring_tail;
        if (used >= RING_SIZE) {
            UART_CTRL &= ~UART_CTRL_RXINT;
            return;
        }
        ring[ring_head % RING_SIZE] = (uint8_t)UART_DATA;
        ring_head++;
        if (used + 1 > ring_hwm) ring_hwm = used + 1;
    }
}

static inline void irq_off(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void irq_on(void) { __asm volatile("cpsie i" ::: "memory"); }

void board_init(void) {
    SYST_RVR = BOARD_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* processor clock, interrupt, enable */
    UART_BAUDDIV = 16;
    UART_CTRL = UART_CTRL_TX | UART_CTRL_RX | UART_CTRL_RXINT;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

uint64_t board_ms(void) {
    uint64_t a, b;
    do { /* a 64-bit read is two loads on the M3: retry when the tick landed in between */
        a = ms_now;
        b = ms_now;
    } while (a != b);
    return a;
}

uint32_t board_jitter(void) { return SYST_CVR; }

void board_sleep(void) {
    irq_off();
    if (ring_head == ring_tail) __asm volatile("wfi"); /* pending interrupts still wake it with PRIMASK set */
    irq_on();
}

size_t board_uart_read(uint8_t *buf, size_t cap) {
    size_t n = 0;
    while (n < cap && ring_tail != ring_head) {
        buf[n++] = ring[ring_tail % RING_SIZE];
        ring_tail++;
    }
    if (!(UART_CTRL & UART_CTRL_RXINT)) { /* it stopped on a full ring: take the waiting byte, resume */
        irq_off();
        UART_CTRL |= UART_CTRL_RXINT;
        irq_on();
        UART0RX_Handler();
    }
    return n;
}

int board_uart_pending(void) { return ring_head != ring_tail; }
uint32_t board_uart_ring_hwm(void) { return ring_hwm; }

void board_uart_write(const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    while (len--) {
        while (UART_STATE & UART_TXFULL) {
        }
        UART_DATA = *p++;
    }
}

size_t board_stack_size(void) { return (size_t)((uint8_t *)&__stack_top - (uint8_t *)&__stack_bottom); }

size_t board_stack_used(void) {
    const uint32_t *p = &__stack_bottom;
    while (p < &__stack_top && *p == STACK_PAINT) p++;
    return (size_t)((const uint8_t *)&__stack_top - (const uint8_t *)p);
}

/* ---- reset and vectors ---- */

void Reset_Handler(void) {
    uint32_t *src = &__data_load, *dst = &__data_start, *sp;
    while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end; dst++) *dst = 0;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (dst = &__stack_bottom; dst < sp - 16; dst++) *dst = STACK_PAINT; /* keep clear of this frame */
    SCB_VTOR = 0;
    (void)fw_main();
    for (;;) __asm volatile("wfi");
}

/* Faults: hand the stacked registers (r0-r3, r12, lr, pc, xpsr) to the firmware, which reports them. */
__attribute__((naked)) void HardFault_Handler(void) {
    __asm volatile("tst lr, #4\n"
                   "ite eq\n"
                   "mrseq r0, msp\n"
                   "mrsne r0, psp\n"
                   "b fw_fault\n");
}

static void Default_Handler(void) {
    for (;;) {
    }
}

#define WEAK_ALIAS __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_ALIAS;
void MemManage_Handler(void) WEAK_ALIAS;
void BusFault_Handler(void) WEAK_ALIAS;
void UsageFault_Handler(void) WEAK_ALIAS;
void SVC_Handler(void) WEAK_ALIAS;
void DebugMon_Handler(void) WEAK_ALIAS;
void PendSV_Handler(void) WEAK_ALIAS;

typedef void (*vector)(void);
/* The initial stack pointer, the Cortex-M3 system exceptions, then the AN385's external interrupts: UART0 RX is
   the only one enabled. */
__attribute__((section(".vectors"), used)) static const struct {
    uint32_t *sp;
    vector v[15 + 32];
} vectors = {&__stack_top,
             {Reset_Handler, NMI_Handler, HardFault_Handler, MemManage_Handler, BusFault_Handler, UsageFault_Handler, 0,
              0, 0, 0, SVC_Handler, DebugMon_Handler, 0, PendSV_Handler, SysTick_Handler, UART0RX_Handler,
              Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
              Default_Handler, Default_Handler}};
