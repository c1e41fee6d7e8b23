/* Byte copy for operators that only change a tensor's shape. */
#include <string.h>

#include "tg_kernels.h"

void tg_copy(const tg_copy_params *p, const void *input, void *output)
{
    if (input != output) {
        memmove(output, input, (size_t)p->bytes);
    }
}
