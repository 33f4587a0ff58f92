/*
 * store.c - the SQLite store (store.h).
 * (being written this session: empty until it lands)
 */
