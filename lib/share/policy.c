/*
 * policy.c - the per-partner read/write policy (share.h).
 * (being written this session: empty until it lands)
 */
