/* test_encode.c - PLACEHOLDER: tests of the AIS encoder (lib/sim/encode.c);
 * being written. */
#include "testutil.h"
static void placeholder(void **state) { (void)state; }
int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(placeholder) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
