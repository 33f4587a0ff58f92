/*
 * token.c - partner bearer tokens: generation, hashing, constant-time comparison (share.h).
 * (being written this session: empty until it lands)
 */
