/*
 * encode.c - PLACEHOLDER: AIS message -> NMEA sentence encoder; being written.
 */
