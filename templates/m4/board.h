/* What a test or bench program sees of QEMU's mps2-an386 board: an instruction counter. */
#ifndef TG_BOARD_H
#define TG_BOARD_H

#include <stdint.h>

/* Exit status of a program that took a fault: this plus the exception number. */
#define BOARD_FAULT_STATUS 100

/* QEMU's -icount shift=0 advances the virtual clock 1 ns per instruction, and the CMSDK
 * timer counts at the board's 25 MHz (40 ns a tick): one tick is 40 instructions, and
 * counts are multiples of 40. Measured on QEMU 7.2: a loop of 2 instructions a turn
 * (subs, bne) takes 50,000 ticks for 1,000,000 turns and 500,000 ticks for 10,000,000,
 * exactly 2 x turns / 40; tests/test_cortex_m4.py (test_timer_ticks_are_40_instructions)
 * checks it on every run. */
#define BOARD_INSTRUCTIONS_PER_TICK 40u

/* Starts the free-running counter (CMSDK APB timer 0, counting down from 0xFFFFFFFF). */
void board_counter_start(void);

/* Ticks since board_counter_start(); wraps after 2^32 ticks (about 170 G instructions). */
uint32_t board_counter_ticks(void);

#endif /* TG_BOARD_H */
