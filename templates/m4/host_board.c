/* board.h on the host, for programs built for both (the probe of impulses): no counter. */
#include "board.h"

void board_counter_start(void)
{
}

uint32_t board_counter_ticks(void)
{
    return 0u;
}
