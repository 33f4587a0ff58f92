/*
 * taxii.c - the TAXII 2.1 request handler (taxii.h).
 * (being written this session: empty until it lands)
 */
