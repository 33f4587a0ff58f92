/*
 * time.c - STIX timestamps (stix_time_parse, stix_time_format).
 * (being written this session: empty until it lands)
 */
