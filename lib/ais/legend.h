/*
 * legend.h - code-value names not in the public header (see legend.c).
 */
#ifndef ALD_AIS_LEGEND_H
#define ALD_AIS_LEGEND_H

const char *ais_station_type_text(unsigned t);
const char *ais_navaid_type_text(unsigned t);

#endif
