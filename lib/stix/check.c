/*
 * check.c - STIX 2.1 object validation (stix_check).
 * (being written this session: empty until it lands)
 */
