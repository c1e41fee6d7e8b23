/* A minimal check for the runtime's C tests: each failed check prints where and what;
 * tg_check_report() gives the exit status, 1 if a check failed or none ran. */
#ifndef TG_CHECK_H
#define TG_CHECK_H

#include <stdio.h>

static int tg_check_failures = 0;
static int tg_check_count = 0;

#define TG_CHECK_INT(actual, expected)                                                   \
    do {                                                                                 \
        const long long tg_a_ = (long long)(actual);                                     \
        const long long tg_e_ = (long long)(expected);                                   \
        ++tg_check_count;                                                                \
        if (tg_a_ != tg_e_) {                                                            \
            ++tg_check_failures;                                                         \
            printf("%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, #actual,    \
                   tg_a_, tg_e_);                                                        \
        }                                                                                \
    } while (0)

/* Floats compared exactly: the expected values are exactly representable. */
#define TG_CHECK_FLOAT(actual, expected)                                                 \
    do {                                                                                 \
        const double tg_a_ = (double)(actual);                                           \
        const double tg_e_ = (double)(expected);                                         \
        ++tg_check_count;                                                                \
        if (!(tg_a_ == tg_e_)) {                                                         \
            ++tg_check_failures;                                                         \
            printf("%s:%d: %s is %.9g, expected %.9g\n", __FILE__, __LINE__, #actual,    \
                   tg_a_, tg_e_);                                                        \
        }                                                                                \
    } while (0)

/* The exit status of a test program; prints a summary line. */
static int tg_check_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, tg_check_count, tg_check_failures);
    return tg_check_failures == 0 && tg_check_count > 0 ? 0 : 1;
}

#endif /* TG_CHECK_H */
