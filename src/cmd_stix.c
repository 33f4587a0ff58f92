/*
 * cmd_stix.c - alidade stix validate|import|export.
 * (being written this session: empty until it lands)
 */
