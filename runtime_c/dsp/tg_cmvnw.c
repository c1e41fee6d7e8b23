/* Sliding-window mean and variance normalization, one column at a time. */
#include <math.h>

#include "tg_dsp_audio.h"

/* Walks row indices t, t + 1, ... under symmetric padding (period 2 rows, each
 * end row repeated once at the turn): `at` is the row of the current index. */
typedef struct {
    int32_t at, step;
} tg_cmvnw_mirror;

static tg_cmvnw_mirror tg_cmvnw_mirror_at(int32_t t, int32_t rows)
{
    tg_cmvnw_mirror it;
    int32_t m = t % (2 * rows);
    if (m < 0) {
        m += 2 * rows;
    }
    it.at = m < rows ? m : 2 * rows - 1 - m;
    it.step = m < rows ? 1 : -1;
    return it;
}

static void tg_cmvnw_mirror_next(tg_cmvnw_mirror *it, int32_t rows)
{
    const int32_t next = it->at + it->step;
    if (next < 0 || next >= rows) {
        it->step = -it->step; /* the end row again, then back */
    } else {
        it->at = next;
    }
}

/* Mean of values over the win_size rows centred on row r. */
static float tg_cmvnw_mean(const float *values, int32_t rows, int32_t win_size, int32_t r)
{
    tg_cmvnw_mirror it = tg_cmvnw_mirror_at(r - win_size / 2, rows);
    float sum = 0.0f;
    int32_t k;
    for (k = 0; k < win_size; ++k) {
        sum += values[it.at];
        tg_cmvnw_mirror_next(&it, rows);
    }
    return sum / (float)win_size;
}

/* Population standard deviation of values over the win_size rows centred on row r. */
static float tg_cmvnw_std(const float *values, int32_t rows, int32_t win_size, int32_t r)
{
    const float mean = tg_cmvnw_mean(values, rows, win_size, r);
    tg_cmvnw_mirror it = tg_cmvnw_mirror_at(r - win_size / 2, rows);
    float squares = 0.0f;
    int32_t k;
    for (k = 0; k < win_size; ++k) {
        const float d = values[it.at] - mean;
        squares += d * d;
        tg_cmvnw_mirror_next(&it, rows);
    }
    return sqrtf(squares / (float)win_size);
}

void tg_cmvnw(const tg_cmvnw_params *p, float *data, float *scratch)
{
    const int32_t rows = p->rows, cols = p->cols, win = p->win_size;
    float *column = scratch, *centred = scratch + rows;
    int32_t c, r;
    for (c = 0; c < cols; ++c) {
        /* The column less its overall mean: the result is the same in exact arithmetic,
         * but window sums of small values keep the bits that float sums of (say) log
         * energies near 20 varying by 0.05 would lose. */
        float offset = 0.0f;
        for (r = 0; r < rows; ++r) {
            offset += data[r * cols + c];
        }
        offset /= (float)rows;
        for (r = 0; r < rows; ++r) {
            column[r] = data[r * cols + c] - offset;
        }
        for (r = 0; r < rows; ++r) {
            centred[r] = column[r] - tg_cmvnw_mean(column, rows, win, r);
        }
        for (r = 0; r < rows; ++r) {
            data[r * cols + c] = centred[r] / (tg_cmvnw_std(centred, rows, win, r) + 1e-10f);
        }
    }
}
