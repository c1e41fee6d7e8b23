/* Sliding-window mean and variance normalization, one column at a time. */
#include <math.h>

#include "tg_dsp_audio.h"

/* Row indices t, t + 1, ... under symmetric padding (period 2 rows, each end row
 * repeated once at the turn) are walked as (at, step): `at` the row of the current
 * index, step +1 or -1 its direction. The start: the row of index t. */
static int32_t tg_cmvnw_mirror_start(int32_t t, int32_t rows, int32_t *step)
{
    int32_t m = t % (2 * rows);
    if (m < 0) {
        m += 2 * rows;
    }
    *step = m < rows ? 1 : -1;
    return m < rows ? m : 2 * rows - 1 - m;
}

/* The next index's row: one step on, or at an end the same row again (turning). */
/* (one line: generated libraries carry no line splices) */
#define TG_CMVNW_NEXT(at, step, rows) do { if ((uint32_t)((at) + (step)) >= (uint32_t)(rows)) { (step) = -(step); } else { (at) += (step); } } while (0)

/* Windows shorter than this sum their rows one by one; longer ones slide. */
#define TG_CMVNW_DIRECT 16

/* sums[r * stride] = the sum of values over the win_size rows centred on row r, and with
 * squares (not NULL) squares[r] = the sum of their squares. The mirrored rows repeat with
 * period 2 rows, each row twice: a window is q whole periods (q times twice the column's
 * sum) and the rem rows after them, summed one by one when rem is short, else slid (the
 * first window summed whole, each next one losing the row that leaves and gaining the
 * row that enters). A column costs about 2 rows + rem additions instead of
 * rows x win_size, and a window of one row is its value exactly. */
static void tg_cmvnw_window_sums(const float *values, int32_t rows, int32_t win_size,
                                 float *sums, int32_t stride, float *squares)
{
    const int32_t period = 2 * rows, rem = win_size % period;
    const float times = 2.0f * (float)(win_size / period);
    int32_t step, at = tg_cmvnw_mirror_start(-(win_size / 2), rows, &step);
    float whole = 0.0f, whole_sq = 0.0f, sum = 0.0f, sum_sq = 0.0f;
    int32_t k, r;
    for (r = 0; r < rows; ++r) {
        const float v = values[r];
        whole += v;
        whole_sq += v * v;
    }
    whole *= times;
    whole_sq *= times;
    if (rem > TG_CMVNW_DIRECT) {
        /* Sliding: `at` is the row that leaves next, `in` the one that enters. */
        int32_t in = at, in_step = step;
        for (k = 0; k < rem; ++k) {
            const float v = values[in];
            sum += v;
            sum_sq += v * v;
            TG_CMVNW_NEXT(in, in_step, rows);
        }
        for (r = 0; r < rows; ++r) {
            const float enter = values[in], leave = values[at];
            sums[r * stride] = whole + sum;
            sum += enter - leave;
            if (squares != 0) {
                squares[r] = whole_sq + sum_sq;
                sum_sq += enter * enter - leave * leave;
            }
            TG_CMVNW_NEXT(in, in_step, rows);
            TG_CMVNW_NEXT(at, step, rows);
        }
        return;
    }
    /* rem is odd (an odd window, an even period): at least 1 row. */
    for (r = 0; r < rows; ++r) {
        int32_t it = at, it_step = step;
        sum = values[at];
        sum_sq = sum * sum;
        for (k = 1; k < rem; ++k) {
            float v;
            TG_CMVNW_NEXT(it, it_step, rows);
            v = values[it];
            sum += v;
            sum_sq += v * v;
        }
        sums[r * stride] = whole + sum;
        if (squares != 0) {
            squares[r] = whole_sq + sum_sq;
        }
        TG_CMVNW_NEXT(at, step, rows);
    }
}

/* sqrtf of a non-negative value: the FPU's instruction where there is one (a call to
 * sqrtf keeps errno's path for negative arguments, which cannot occur here). */
static float tg_cmvnw_sqrt(float x)
{
#if defined(__GNUC__) && defined(__ARM_FP) && (__ARM_FP & 4)
    float root;
    __asm__("vsqrt.f32 %0, %1" : "=t"(root) : "t"(x));
    return root;
#else
    return sqrtf(x);
#endif
}

void tg_cmvnw(const tg_cmvnw_params *p, float *data, float *scratch)
{
    const int32_t rows = p->rows, cols = p->cols, win = p->win_size;
    const float inverse = 1.0f / (float)win;
    float *column = scratch, *sums = scratch + rows;
    int32_t c, r;
    for (c = 0; c < cols; ++c) {
        float *x = data + c;
        /* The column less its overall mean: the result is the same in exact arithmetic,
         * but window sums of small values keep the bits that float sums of (say) log
         * energies near 20 varying by 0.05 would lose. */
        float offset = 0.0f;
        for (r = 0; r < rows; ++r) {
            offset += x[r * cols];
        }
        offset /= (float)rows;
        for (r = 0; r < rows; ++r) {
            column[r] = x[r * cols] - offset;
        }
        tg_cmvnw_window_sums(column, rows, win, sums, 1, 0);
        for (r = 0; r < rows; ++r) {
            column[r] -= sums[r] * inverse; /* centred: less its window's mean */
        }
        /* The window's variance of the centred values: E[x^2] - E[x]^2, whose E[x] is
         * near 0 (each value lost its own window's mean), so nothing cancels. The window
         * sums go to the column (kept until the squares' sums are read), the squares'
         * to sums. */
        tg_cmvnw_window_sums(column, rows, win, x, cols, sums);
        for (r = 0; r < rows; ++r) {
            const float mean = x[r * cols] * inverse;
            float variance = sums[r] * inverse - mean * mean;
            variance = variance > 0.0f ? variance : 0.0f;
            x[r * cols] = column[r] / (tg_cmvnw_sqrt(variance) + 1e-10f);
        }
    }
}
