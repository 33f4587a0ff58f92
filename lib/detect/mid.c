/*
 * mid.c - PLACEHOLDER: Maritime Identification Digits table (ITU) for
 * invalid-MMSI checks; being written.
 */
#include "detect/internal.h"
