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

/* Windows shorter than this sum their rows one by one; longer ones slide. */
#define TG_CMVNW_DIRECT 16

static float tg_cmvnw_term(float v, int squares)
{
    return squares ? v * v : v;
}

/* sums[r] = the sum of values (squares: of their squares) over the win_size rows centred
 * on row r. The mirrored rows repeat with period 2 rows, each row twice: a window is
 * q whole periods (q times twice the column's sum) and the rem rows after them, summed
 * one by one when rem is short, else slid (the first window summed whole, each next
 * one losing the row that leaves and gaining the row that enters). A column costs
 * about 2 rows + rem additions instead of rows x win_size, and a window of one row is
 * its value exactly. */
static void tg_cmvnw_window_sums(const float *values, int32_t rows, int32_t win_size,
                                 int squares, float *sums)
{
    const int32_t period = 2 * rows, rem = win_size % period;
    tg_cmvnw_mirror leaving = tg_cmvnw_mirror_at(-(win_size / 2), rows), entering;
    float whole = 0.0f, sum = 0.0f;
    int32_t k, r;
    for (r = 0; r < rows; ++r) {
        whole += tg_cmvnw_term(values[r], squares);
    }
    whole *= 2.0f * (float)(win_size / period);
    entering = leaving;
    if (rem > TG_CMVNW_DIRECT) {
        for (k = 0; k < rem; ++k) {
            sum += tg_cmvnw_term(values[entering.at], squares);
            tg_cmvnw_mirror_next(&entering, rows);
        }
    }
    for (r = 0; r < rows; ++r) {
        if (rem > TG_CMVNW_DIRECT) {
            sums[r] = whole + sum;
            sum += tg_cmvnw_term(values[entering.at], squares) -
                   tg_cmvnw_term(values[leaving.at], squares);
            tg_cmvnw_mirror_next(&entering, rows);
        } else {
            tg_cmvnw_mirror it = leaving;
            sum = 0.0f;
            for (k = 0; k < rem; ++k) {
                sum += tg_cmvnw_term(values[it.at], squares);
                tg_cmvnw_mirror_next(&it, rows);
            }
            sums[r] = whole + sum;
        }
        tg_cmvnw_mirror_next(&leaving, rows);
    }
}

void tg_cmvnw(const tg_cmvnw_params *p, float *data, float *scratch)
{
    const int32_t rows = p->rows, cols = p->cols, win = p->win_size;
    const float inverse = 1.0f / (float)win;
    float *column = scratch, *sums = scratch + rows;
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
        tg_cmvnw_window_sums(column, rows, win, 0, sums);
        for (r = 0; r < rows; ++r) {
            column[r] -= sums[r] * inverse; /* centred: less its window's mean */
        }
        /* The window's variance of the centred values: E[x^2] - E[x]^2, whose E[x] is
         * near 0 (each value lost its own window's mean), so nothing cancels. */
        tg_cmvnw_window_sums(column, rows, win, 0, sums);
        for (r = 0; r < rows; ++r) {
            const float mean = sums[r] * inverse;
            data[r * cols + c] = mean; /* kept until the squares are summed */
        }
        tg_cmvnw_window_sums(column, rows, win, 1, sums);
        for (r = 0; r < rows; ++r) {
            const float mean = data[r * cols + c];
            float variance = sums[r] * inverse - mean * mean;
            variance = variance > 0.0f ? variance : 0.0f;
            data[r * cols + c] = column[r] / (sqrtf(variance) + 1e-10f);
        }
    }
}
