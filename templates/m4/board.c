/* The instruction counter of board.h: CMSDK APB timer 0 of the mps2-an386 at 0x40000000. */
#include "board.h"

#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER_CTRL_ENABLE 1u

void board_counter_start(void)
{
    TIMER0_CTRL = 0;
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = TIMER_CTRL_ENABLE;
}

uint32_t board_counter_ticks(void)
{
    return 0xFFFFFFFFu - TIMER0_VALUE;
}
