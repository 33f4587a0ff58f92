/*
 * tlp.c - TLP 2.0 marking-definition ids (stix_tlp_id, stix_tlp_of).
 * (being written this session: empty until it lands)
 */
