/* Reset and exception entry of a test or bench program on QEMU's mps2-an386 (Cortex-M4F).
 *
 * At reset the core loads its stack pointer and the address of tg_reset_handler from the
 * vector table at address 0 (mps2_an386.ld places it there). tg_reset_handler turns on
 * the FPU (the program is built for the hard-float ABI) and fills .data from its load
 * image in SSRAM1, then enters _start of newlib's rdimon-crt0.o, which does what
 * librdimon expects before main(): it asks the host for the stack and heap bounds
 * (SYS_HEAPINFO; QEMU puts the stack at the top of the board's PSRAM, 0x22000000), clears
 * .bss, opens stdin, stdout and stderr over semihosting, runs the constructors, calls
 * main() and passes its status to exit(), which ends QEMU with that status. A fault ends
 * the program with status BOARD_FAULT_STATUS + the exception number.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "board.h"

/* Placed by mps2_an386.ld. */
extern uint32_t __data_load__[];
extern uint32_t __data_start__[];
extern uint32_t __data_end__[];
extern uint32_t __stack_top[];

/* The entry point of rdimon-crt0.o (linked by --specs=rdimon.specs); it does not return. */
extern void _start(void);

void tg_reset_handler(void);
void tg_fault_handler(void);

/* Coprocessor Access Control Register: bits 20-23 give full access to CP10 and CP11. */
#define CPACR (*(volatile uint32_t *)0xE000ED88u)

void tg_reset_handler(void)
{
    uint32_t *dst;
    const uint32_t *src = __data_load__;

    CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    /* volatile: a plain loop, not a call to memcpy, while the library is not set up */
    for (dst = __data_start__; dst < __data_end__; ++dst) {
        *(volatile uint32_t *)dst = *src++;
    }
    _start();
}

void tg_fault_handler(void)
{
    uint32_t ipsr;

    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    fprintf(stderr, "fault: exception %u\n", (unsigned)(ipsr & 0x1FFu));
    _Exit(BOARD_FAULT_STATUS + (int)(ipsr & 0x1FFu));
}

typedef void (*tg_vector)(void);

/* The initial stack pointer, then the 15 system exceptions of the Cortex-M4 (0 where the
 * architecture reserves the entry). The board's interrupts stay disabled: none follow. */
struct tg_vector_table {
    uint32_t *initial_sp;
    tg_vector exceptions[15];
};

__attribute__((section(".vectors"), used))
static const struct tg_vector_table tg_vectors = {
    __stack_top,
    {
        tg_reset_handler,
        tg_fault_handler, /* NMI */
        tg_fault_handler, /* HardFault */
        tg_fault_handler, /* MemManage */
        tg_fault_handler, /* BusFault */
        tg_fault_handler, /* UsageFault */
        0,
        0,
        0,
        0,
        tg_fault_handler, /* SVCall */
        tg_fault_handler, /* DebugMonitor */
        0,
        tg_fault_handler, /* PendSV */
        tg_fault_handler, /* SysTick */
    },
};
