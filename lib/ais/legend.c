/*
 * legend.c - human-readable names of AIS code values, worded as gpsd prints
 * them (status_text, shiptype_text, epfd_text, aid_type_text, ...).
 */
#include "alidade/ais.h"
#include "ais/legend.h"

static const char *const nav_legends[16] = {
    "Under way using engine", "At anchor", "Not under command",
    "Restricted maneuverability", "Constrained by her draught", "Moored",
    "Aground", "Engaged in fishing", "Under way sailing", "Reserved for HSC",
    "Reserved for WIG", "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside", "Reserved",
    "AIS-SART is active", "Not defined",
};

static const char *const epfd_legends[16] = {
    "Undefined", "GPS", "GLONASS", "Combined GPS/GLONASS", "Loran-C", "Chayka",
    "Integrated navigation system", "Surveyed", "Galileo", "Reserved (9)",
    "Reserved (10)", "Reserved (11)", "Reserved (12)", "Reserved (13)",
    "Reserved (14)", "Internal GNSS",
};

#define RFU "Reserved for future use"
static const char *const ship_type_legends[100] = {
    "Not available", RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU,
    RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU, RFU,
    "Wing in ground (WIG) - all ships of this type",
    "Wing in ground (WIG) - Hazardous category A",
    "Wing in ground (WIG) - Hazardous category B",
    "Wing in ground (WIG) - Hazardous category C",
    "Wing in ground (WIG) - Hazardous category D",
    "Wing in ground (WIG) - " RFU, "Wing in ground (WIG) - " RFU,
    "Wing in ground (WIG) - " RFU, "Wing in ground (WIG) - " RFU,
    "Wing in ground (WIG) - " RFU,
    "Fishing", "Towing", "Towing: length exceeds 200m or breadth exceeds 25m",
    "Dredging or underwater ops", "Diving ops", "Military ops", "Sailing",
    "Pleasure Craft", "Reserved", "Reserved",
    "High speed craft (HSC) - all ships of this type",
    "High speed craft (HSC) - Hazardous category A",
    "High speed craft (HSC) - Hazardous category B",
    "High speed craft (HSC) - Hazardous category C",
    "High speed craft (HSC) - Hazardous category D",
    "High speed craft (HSC) - " RFU, "High speed craft (HSC) - " RFU,
    "High speed craft (HSC) - " RFU, "High speed craft (HSC) - " RFU,
    "High speed craft (HSC) - No additional information",
    "Pilot Vessel", "Search and Rescue vessel", "Tug", "Port Tender",
    "Anti-pollution equipment", "Law Enforcement", "Spare - Local Vessel",
    "Spare - Local Vessel", "Medical Transport",
    "Ship according to RR Resolution No. 18",
    "Passenger - all ships of this type", "Passenger - Hazardous category A",
    "Passenger - Hazardous category B", "Passenger - Hazardous category C",
    "Passenger - Hazardous category D", "Passenger - " RFU, "Passenger - " RFU,
    "Passenger - " RFU, "Passenger - " RFU,
    "Passenger - No additional information",
    "Cargo - all ships of this type", "Cargo - Hazardous category A",
    "Cargo - Hazardous category B", "Cargo - Hazardous category C",
    "Cargo - Hazardous category D", "Cargo - " RFU, "Cargo - " RFU,
    "Cargo - " RFU, "Cargo - " RFU, "Cargo - No additional information",
    "Tanker - all ships of this type", "Tanker - Hazardous category A",
    "Tanker - Hazardous category B", "Tanker - Hazardous category C",
    "Tanker - Hazardous category D", "Tanker - " RFU, "Tanker - " RFU,
    "Tanker - " RFU, "Tanker - " RFU, "Tanker - No additional information",
    "Other Type - all ships of this type", "Other Type - Hazardous category A",
    "Other Type - Hazardous category B", "Other Type - Hazardous category C",
    "Other Type - Hazardous category D", "Other Type - " RFU,
    "Other Type - " RFU, "Other Type - " RFU, "Other Type - " RFU,
    "Other Type - no additional information",
};

static const char *const station_type_legends[16] = {
    "All types of mobiles", RFU, "All types of Class B mobile stations",
    "SAR airborne mobile station", "Aid to Navigation station",
    "Class B shipborne mobile station", "Regional use and inland waterways",
    "Regional use and inland waterways", "Regional use and inland waterways",
    "Regional use and inland waterways", RFU, RFU, RFU, RFU, RFU, RFU,
};

static const char *const navaid_type_legends[32] = {
    "Unspecified", "Reference point", "RACON", "Fixed offshore structure",
    "Spare, Reserved for future use.", "Light, without sectors",
    "Light, with sectors", "Leading Light Front", "Leading Light Rear",
    "Beacon, Cardinal N", "Beacon, Cardinal E", "Beacon, Cardinal S",
    "Beacon, Cardinal W", "Beacon, Port hand", "Beacon, Starboard hand",
    "Beacon, Preferred Channel port hand",
    "Beacon, Preferred Channel starboard hand", "Beacon, Isolated danger",
    "Beacon, Safe water", "Beacon, Special mark", "Cardinal Mark N",
    "Cardinal Mark E", "Cardinal Mark S", "Cardinal Mark W", "Port hand Mark",
    "Starboard hand Mark", "Preferred Channel Port hand",
    "Preferred Channel Starboard hand", "Isolated danger", "Safe Water",
    "Special Mark", "Light Vessel / LANBY / Rigs",
};

const char *ais_nav_status_text(unsigned s)
{
    return s < 16 ? nav_legends[s] : "Not defined";
}

const char *ais_ship_type_text(unsigned t)
{
    return t < 100 ? ship_type_legends[t] : "INVALID SHIP TYPE";
}

const char *ais_epfd_text(unsigned e)
{
    return e < 16 ? epfd_legends[e] : "INVALID EPFD";
}

const char *ais_station_type_text(unsigned t)
{
    return t < 16 ? station_type_legends[t] : "INVALID STATION TYPE";
}

const char *ais_navaid_type_text(unsigned t)
{
    return t < 32 ? navaid_type_legends[t] : "INVALID NAVAID TYPE";
}
