/*
 * split.c - splitting bundles, envelopes and JSON lines into each object's exact text (stix_split).
 * (being written this session: empty until it lands)
 */
