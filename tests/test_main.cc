// The doctest main of claw_tests: every *_test.cc beside the code links here.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
