/*
 * sim.c - PLACEHOLDER: scenario generator (NMEA with planted behaviour and
 * ground truth); being written.
 */
