/*
 * cmd_serve.c - alidade serve: the TAXII 2.1 server over libmicrohttpd.
 * (being written this session: empty until it lands)
 */
