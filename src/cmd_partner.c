/*
 * cmd_partner.c - alidade partner add|list|remove|rotate and alidade collection add|list.
 * (being written this session: empty until it lands)
 */
