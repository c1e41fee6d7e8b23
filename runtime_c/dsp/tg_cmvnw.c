/* Sliding-window mean and variance normalization, one column at a time. */
#include <math.h>

#include "tg_dsp_audio.h"

/* Row of index t (any integer) under symmetric padding: period 2 rows, mirrored. */
static int32_t tg_cmvnw_row(int32_t t, int32_t rows)
{
    int32_t m = t % (2 * rows);
    if (m < 0) {
        m += 2 * rows;
    }
    return m < rows ? m : 2 * rows - 1 - m;
}

/* Mean of values over the window of win_size rows centred on row r. */
static float tg_cmvnw_mean(const float *values, int32_t rows, int32_t win_size, int32_t r)
{
    const int32_t half = win_size / 2;
    float sum = 0.0f;
    int32_t t;
    for (t = r - half; t <= r + half; ++t) {
        sum += values[tg_cmvnw_row(t, rows)];
    }
    return sum / (float)win_size;
}

void tg_cmvnw(const tg_cmvnw_params *p, float *data, float *scratch)
{
    const int32_t rows = p->rows, cols = p->cols, win = p->win_size, half = p->win_size / 2;
    float *column = scratch, *centred = scratch + rows;
    int32_t c, r, t;
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
            const float mean = tg_cmvnw_mean(centred, rows, win, r);
            float squares = 0.0f;
            for (t = r - half; t <= r + half; ++t) {
                const float d = centred[tg_cmvnw_row(t, rows)] - mean;
                squares += d * d;
            }
            data[r * cols + c] = centred[r] / (sqrtf(squares / (float)win) + 1e-10f);
        }
    }
}
